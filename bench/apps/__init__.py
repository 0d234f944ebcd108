"""The tiny apps each server under test runs in bench/hello.py: the same three routes, the same bytes out.

GET  /      "Hello, World!" as text/plain
GET  /json  {"message": "Hello, World!"} as application/json
POST /echo  the request body back, as application/octet-stream
"""
