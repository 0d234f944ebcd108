"""The layers import one way, ``supervisor -> web -> server``, checked on the source of every module.

Each module under ``server/``, ``web/`` and ``supervisor/`` is parsed (not imported) and its AST walked:

* ``server`` imports neither ``web`` nor ``supervisor``; ``web`` imports nothing from ``supervisor``;
* ``web`` imports no private name (a leading underscore, in the module path or the name) from ``server``;
* ``web`` reads no private attribute of the exchange (``exchange._protocol``): it talks to ``Exchange``'s public
  methods, as ``server.streams.FlowControl`` is the model for (STYLE.md, "Seams");
* ``web`` makes no call on a transport but ``get_extra_info`` (aiohttp's ``request.transport`` surface): writing,
  closing, flow control and the websocket's channel belong to ``server``, which owns every transport call;
* ``web/handler.py`` reads no private name of the router (``router._resolve``): it uses the router's public fast
  path, so the router's internals can change without the handler.

Imports inside functions and under ``if TYPE_CHECKING:`` count too: a lazy import is still a dependency.
"""

from __future__ import annotations

import ast
import functools
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("server", "web", "supervisor")

# What each layer must not import (the top-level package of the imported module).
FORBIDDEN = {"server": {"web", "supervisor"}, "web": {"supervisor"}, "supervisor": set()}

# Known reaches of web/ into private names of server/, as (module, the imported name or expression). Other
# changes are removing these; once they are gone the lead deletes the line (test_no_stale_exceptions says when).
KNOWN_PRIVATE_IMPORTS: set[tuple[str, str]] = set()
KNOWN_PRIVATE_EXCHANGE_ATTRIBUTES: set[tuple[str, str]] = set()


def modules(package: str) -> list[Path]:
    return sorted((ROOT / package).rglob("*.py"))


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def resolve(path: Path, node: ast.ImportFrom) -> str:
    """The absolute module of ``from ... import``, relative imports resolved against ``path``'s package."""
    if not node.level:
        return node.module or ""
    package = module_name(path).split(".")
    if path.name != "__init__.py":
        package = package[:-1]
    base = package[: len(package) - (node.level - 1)]
    return ".".join(base + ([node.module] if node.module else []))


@functools.cache
def parse(path: Path) -> ast.Module:
    return ast.parse(path.read_text(), str(path))


def imports(path: Path, source: str | None = None) -> Iterator[tuple[int, str, str | None]]:
    """``(line, module, name)`` for every import in ``path`` (or in ``source``, as if it were ``path``'s);
    ``name`` is None for ``import module``."""
    tree = parse(path) if source is None else ast.parse(source, str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name, None
        elif isinstance(node, ast.ImportFrom):
            module = resolve(path, node)
            for alias in node.names:
                yield node.lineno, module, alias.name


def is_private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def where(path: Path, line: int) -> str:
    return f"{path.relative_to(ROOT)}:{line}"


@pytest.mark.parametrize("package", PACKAGES)
def test_layers_import_one_way(package: str) -> None:
    found = [
        f"{where(path, line)}: {module}" + (f" ({name})" if name else "")
        for path in modules(package)
        for line, module, name in imports(path)
        if module.split(".")[0] in FORBIDDEN[package]
        # ``from . import x`` in a top-level package names a submodule x of that package
        or (module == "" and name in FORBIDDEN[package])
    ]
    assert not found, f"{package}/ must not import {sorted(FORBIDDEN[package])}:\n" + "\n".join(found)


def private_server_imports() -> Iterator[tuple[str, int, str]]:
    for path in modules("web"):
        for line, module, name in imports(path):
            parts = module.split(".")
            if parts[0] != "server":
                continue
            if any(is_private(part) for part in parts) or (name is not None and is_private(name)):
                yield str(path.relative_to(ROOT)), line, f"{module}.{name}" if name else module


def test_web_imports_no_private_name_of_server() -> None:
    found = [
        f"{file}:{line}: {what}"
        for file, line, what in private_server_imports()
        if (file, what) not in KNOWN_PRIVATE_IMPORTS
    ]
    assert not found, "web/ imports private names of server/:\n" + "\n".join(found)


def refers_to_exchange(node: ast.expr) -> bool:
    """``exchange``, ``self._exchange``, ``request._exchange.protocol``...: the exchange or what it holds."""
    while isinstance(node, ast.Attribute):
        if node.attr.lstrip("_").endswith("exchange"):
            return True
        node = node.value
    return isinstance(node, ast.Name) and node.id.lstrip("_").endswith("exchange")


def private_exchange_attributes() -> Iterator[tuple[str, int, str]]:
    for path in modules("web"):
        for node in ast.walk(parse(path)):
            if isinstance(node, ast.Attribute) and is_private(node.attr) and refers_to_exchange(node.value):
                yield str(path.relative_to(ROOT)), node.lineno, ast.unparse(node)


def test_web_reads_no_private_attribute_of_the_exchange() -> None:
    found = [
        f"{file}:{line}: {expr}"
        for file, line, expr in private_exchange_attributes()
        if (file, expr) not in KNOWN_PRIVATE_EXCHANGE_ATTRIBUTES
    ]
    assert not found, "web/ reads private attributes of the exchange:\n" + "\n".join(found)


# The one transport method web may call: reading the connection's details (``peername``, ``sslcontext``).
TRANSPORT_READS = {"get_extra_info"}


def refers_to_transport(node: ast.expr) -> bool:
    """``transport``, ``self._transport``, ``exchange.transport``...: a transport."""
    if isinstance(node, ast.Attribute):
        return node.attr.lstrip("_").endswith("transport")
    return isinstance(node, ast.Name) and node.id.lstrip("_").endswith("transport")


def transport_calls(tree: ast.Module) -> Iterator[tuple[int, str]]:
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr not in TRANSPORT_READS
            and refers_to_transport(node.func.value)
        ):
            yield node.lineno, ast.unparse(node.func)


def test_web_makes_no_transport_call() -> None:
    found = [f"{where(path, line)}: {call}()" for path in modules("web") for line, call in transport_calls(parse(path))]
    assert not found, "web/ calls transport methods (server owns them):\n" + "\n".join(found)


def private_router_names(tree: ast.Module) -> Iterator[tuple[int, str]]:
    """``router._x`` and ``getattr(router, "_x", ...)`` in ``tree``."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "router":
            name = node.attr
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id == "getattr"
            and len(node.args) >= 2
            and isinstance(node.args[0], ast.Name)
            and node.args[0].id == "router"
            and isinstance(node.args[1], ast.Constant)
            and isinstance(node.args[1].value, str)
        ):
            name = node.args[1].value
        else:
            continue
        if is_private(name):
            yield node.lineno, f"router.{name}"


def test_the_request_handler_reads_no_private_name_of_the_router() -> None:
    path = ROOT / "web" / "handler.py"
    found = [f"{where(path, line)}: {expr}" for line, expr in private_router_names(parse(path))]
    assert not found, "web/handler.py reaches into the router: " + ", ".join(found)


def test_no_stale_exceptions() -> None:
    """An exception listed above that no longer occurs is deleted, so the lists only ever shrink."""
    imported = {(file, what) for file, _, what in private_server_imports()}
    read = {(file, expr) for file, _, expr in private_exchange_attributes()}
    stale = sorted((KNOWN_PRIVATE_IMPORTS - imported) | (KNOWN_PRIVATE_EXCHANGE_ATTRIBUTES - read))
    assert not stale, f"no longer found, delete from the known exceptions: {stale}"


# -- the checker itself, on made-up sources ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("file", "source", "expected"),
    [
        ("server/x.py", "import web", [(1, "web", None)]),
        ("server/x.py", "from ..web import app", [(1, "web", "app")]),
        ("server/x.py", "from . import streams", [(1, "server", "streams")]),
        ("web/sub/x.py", "from ...supervisor.config import load", [(1, "supervisor.config", "load")]),
        ("web/x.py", "def f():\n    from server.protocol import _private", [(2, "server.protocol", "_private")]),
    ],
)
def test_imports_are_resolved(file: str, source: str, expected: list[tuple[int, str, str | None]]) -> None:
    assert list(imports(ROOT / file, source)) == expected


@pytest.mark.parametrize(
    ("source", "flagged"),
    [
        ("exchange._protocol", True),
        ("self._exchange._transport.write", True),
        ("request._exchange._protocol", True),
        ("request._exchange", False),  # web's own attribute holding the exchange
        ("exchange.write_head", False),
        ("exchange.__class__", False),
        ("exchange.protocol._write_paused", True),
        ("other._protocol", False),
    ],
)
def test_exchange_attribute_check(source: str, flagged: bool) -> None:
    nodes = [n for n in ast.walk(ast.parse(source)) if isinstance(n, ast.Attribute)]
    assert any(is_private(n.attr) and refers_to_exchange(n.value) for n in nodes) == flagged


@pytest.mark.parametrize(
    ("source", "flagged"),
    [
        ("router._resolve(request, target, method)", True),
        ("getattr(router, '_nested', None)", True),
        ("router.resolve_target(request, target, method)", False),
        ("router.__class__ is UrlDispatcher", False),
        ("app._router", False),  # the application's attribute, not the router's
    ],
)
def test_router_name_check(source: str, flagged: bool) -> None:
    assert bool(list(private_router_names(ast.parse(source)))) == flagged


@pytest.mark.parametrize(
    ("source", "flagged"),
    [
        ("self.transport.write(frame)", True),
        ("exchange.transport.is_closing()", True),
        ("self._transport.abort()", True),
        ("transport.pause_reading()", True),
        ("request.transport.get_extra_info('peername')", False),
        ("transport.get_extra_info('sslcontext')", False),
        ("channel.write(frame)", False),
        ("exchange.drain()", False),
    ],
)
def test_transport_call_check(source: str, flagged: bool) -> None:
    assert bool(list(transport_calls(ast.parse(source)))) == flagged
