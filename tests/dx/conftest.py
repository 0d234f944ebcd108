"""tests/dx: the developer-experience pieces (test client, fixtures, run_app, reload, examples, error messages).

``make_client`` comes from ``web.pytest_fixtures``; once ``web.pytest_plugin`` imports it, every project gets it
and this import becomes redundant. (``pytest_plugins`` is refused in a conftest below the root.)
"""

import pytest

import web
from web.pytest_fixtures import make_client  # noqa: F401

try:
    from web.websocket import WebSocketDisconnectedError, WebSocketResponse
except ImportError:  # pragma: no cover - before web/websocket.py landed
    WebSocketResponse = None  # type: ignore[assignment,misc]


@pytest.fixture
def websockets_in_web(monkeypatch: pytest.MonkeyPatch) -> None:
    """``web.WebSocketResponse`` as users write it, even before ``web/__init__`` exports it (then a no-op)."""
    if WebSocketResponse is None:
        pytest.skip("web.websocket has not landed yet")
    if not hasattr(web, "WebSocketResponse"):
        monkeypatch.setattr(web, "WebSocketResponse", WebSocketResponse, raising=False)
        monkeypatch.setattr(web, "WebSocketDisconnectedError", WebSocketDisconnectedError, raising=False)
