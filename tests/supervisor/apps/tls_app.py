"""The app of the TLS process tests: ``/`` says the scheme, whether the request is secure and the client
certificate's subject common name (``-`` without one)."""

from __future__ import annotations

import os

from web import Application, Response


async def whoami(request):
    cert = request.transport.get_extra_info("peercert") if request.transport is not None else None
    subject = dict(item for rdn in cert["subject"] for item in rdn) if cert else {}
    cn = subject.get("commonName", "-") if cert else "-"
    return Response(text=f"{request.scheme} {request.secure} {cn} {os.getpid()}")


def create_app() -> Application:
    app = Application()
    app.router.add_route("GET", "/", whoami)
    return app
