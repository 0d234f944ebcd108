"""examples/app.py through make_client: the JSON API, the upload form, static files and the websocket chat."""

import io
import json
from pathlib import Path

import aiohttp
import pytest

from examples.app import MAX_UPLOAD, create_app

STATIC = Path(__file__).resolve().parents[2] / "examples" / "static"


@pytest.fixture
async def client(make_client):
    return await make_client(create_app)


# -- JSON API ------------------------------------------------------------------------------------------------------


async def test_items_crud(client) -> None:
    assert await (await client.get("/api/items")).json() == []

    resp = await client.post("/api/items", json={"name": "Lamp", "price": 12.5})
    assert resp.status == 201
    item = await resp.json()
    assert item == {"id": 1, "name": "Lamp", "price": 12.5}
    assert resp.headers["Location"] == "/api/items/1"

    assert await (await client.get("/api/items/1")).json() == item

    resp = await client.patch("/api/items/1", json={"price": 10})
    assert await resp.json() == {"id": 1, "name": "Lamp", "price": 10}

    resp = await client.put("/api/items/1", json={"name": "Desk lamp", "price": 11})
    assert await resp.json() == {"id": 1, "name": "Desk lamp", "price": 11}

    await client.post("/api/items", json={"name": "Chair", "price": 40})
    assert [i["name"] for i in await (await client.get("/api/items", params={"q": "chair"})).json()] == ["Chair"]

    resp = await client.delete("/api/items/1")
    assert resp.status == 204
    assert (await client.get("/api/items/1")).status == 404


@pytest.mark.parametrize(
    ("body", "status", "error"),
    [
        ({"price": 1}, 400, "name must be a non-empty string"),
        ({"name": "x", "price": -1}, 400, "price must be a non-negative number"),
        ({"name": "x", "price": True}, 400, "price must be a non-negative number"),
        ({"name": "x", "price": 1, "colour": "red"}, 400, "unknown field(s): colour"),
        ([1, 2], 400, "Expected a JSON object"),
    ],
)
async def test_invalid_items_get_a_json_error(client, body, status, error) -> None:
    resp = await client.post("/api/items", json=body)
    assert resp.status == status
    assert await resp.json() == {"error": error, "status": status}


async def test_broken_json_is_a_json_400(client) -> None:
    resp = await client.post("/api/items", data=b"{not json", headers={"Content-Type": "application/json"})
    assert resp.status == 400
    assert (await resp.json())["error"].startswith("invalid JSON")


@pytest.mark.parametrize("path", ["/api/items/7", "/api/items/abc", "/api/nothing"])
async def test_api_misses_are_json_404(client, path) -> None:
    resp = await client.get(path)
    assert resp.status == 404
    assert resp.content_type == "application/json"
    assert (await resp.json())["status"] == 404


async def test_api_wrong_method_is_json_405_with_allow(client) -> None:
    resp = await client.delete("/api/items")
    assert resp.status == 405
    assert set(resp.headers["Allow"].replace(" ", "").split(",")) >= {"GET", "POST"}
    assert (await resp.json())["status"] == 405


async def test_pages_outside_the_api_keep_text_errors(client) -> None:
    resp = await client.get("/nothing-here")
    assert resp.status == 404
    assert resp.content_type == "text/plain"


# -- pages, upload, static -----------------------------------------------------------------------------------------


async def test_index_links_the_stylesheet_and_the_form(client) -> None:
    resp = await client.get("/")
    assert resp.status == 200
    assert resp.content_type == "text/html"
    text = await resp.text()
    assert 'href="/static/style.css"' in text
    assert 'enctype="multipart/form-data"' in text


async def test_upload_a_file_through_the_form(client) -> None:
    form = aiohttp.FormData()
    form.add_field("description", "a <b>test</b>")
    form.add_field("file", b"0123456789" * 1000, filename="data.bin", content_type="application/octet-stream")
    resp = await client.post("/upload", data=form, headers={"Accept": "application/json"})
    assert resp.status == 201
    record = await resp.json()
    assert record["filename"] == "data.bin"
    assert record["size"] == 10000
    assert record["content_type"] == "application/octet-stream"
    assert record["description"] == "a <b>test</b>"
    # and the index lists it, escaped
    text = await (await client.get("/")).text()
    assert "data.bin: 10000 bytes" in text


async def test_upload_as_html_escapes_what_the_user_sent(client) -> None:
    # Written by hand: aiohttp's FormData percent-encodes the filename, a browser sends it as typed.
    body = (
        b"--XyZ\r\n"
        b'Content-Disposition: form-data; name="file"; filename="<script>.txt"\r\n'
        b"Content-Type: text/plain\r\n\r\n"
        b"x\r\n"
        b"--XyZ--\r\n"
    )
    resp = await client.post("/upload", data=body, headers={"Content-Type": "multipart/form-data; boundary=XyZ"})
    assert resp.status == 201
    text = await resp.text()
    assert "&lt;script&gt;.txt" in text
    assert "<script>.txt" not in text


async def test_upload_without_a_file_is_400(client) -> None:
    resp = await client.post("/upload", data={"description": "no file"})
    assert resp.status == 400
    assert "Choose a file" in await resp.text()


async def test_upload_larger_than_the_limit_is_413(client) -> None:
    form = aiohttp.FormData()
    form.add_field("file", io.BytesIO(b"x" * (MAX_UPLOAD + 1)), filename="big.bin")
    resp = await client.post("/upload", data=form)
    assert resp.status == 413


@pytest.mark.parametrize("name", ["style.css", "chat.js"])
async def test_static_files_are_served(client, name) -> None:
    resp = await client.get(f"/static/{name}")
    assert resp.status == 200
    assert await resp.read() == (STATIC / name).read_bytes()


async def test_static_does_not_leave_its_directory(client) -> None:
    resp = await client.get("/static/%2e%2e/app.py")
    assert resp.status in (403, 404)


# -- websocket chat ------------------------------------------------------------------------------------------------


async def test_chat_broadcasts_to_everyone_in_the_room(client) -> None:
    alice = await client.ws_connect("/ws?name=alice")
    assert json.loads(await alice.receive_str()) == {"from": "server", "text": "alice joined"}
    bob = await client.ws_connect("/ws?name=bob")
    assert json.loads(await bob.receive_str()) == {"from": "server", "text": "bob joined"}
    assert json.loads(await alice.receive_str()) == {"from": "server", "text": "bob joined"}

    await bob.send_str("hi alice")
    for peer in (alice, bob):
        assert json.loads(await peer.receive_str()) == {"from": "bob", "text": "hi alice"}

    await bob.close()
    assert json.loads(await alice.receive_str()) == {"from": "server", "text": "bob left"}


async def test_chat_over_plain_http_explains_itself(client) -> None:
    resp = await client.get("/ws")
    assert resp.status == 200
    assert "websocket endpoint" in await resp.text()
