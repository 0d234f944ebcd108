"""aiohttp 3's typed keys: ``AppKey`` for ``Application``, ``RequestKey`` for ``Request``, ``ResponseKey`` for
responses, and ``ChainMapProxy``, the read-only view of ``request.config_dict``.

A key is an object, so two libraries that both store ``"db"`` cannot collide, and a type checker knows what
``app[key]`` holds. String keys keep working everywhere (the aiohttp 0.14 API uses them), and, unlike aiohttp,
storing one in an application or a request emits no ``NotAppKeyWarning``; a response, whose storage the 0.14 API
lacks, warns as aiohttp 3's does (``web.responsestorage``).
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Iterable, Iterator, Mapping
from contextlib import suppress
from typing import Any, Generic, TypeVar, get_args

__all__ = ["AppKey", "ChainMapProxy", "NotAppKeyWarning", "RequestKey", "ResponseKey"]

_T = TypeVar("_T")


class NotAppKeyWarning(UserWarning):
    """aiohttp's warning for a str key stored in an Application, a Request or a response. Here only a response
    emits it, once per key (the aiohttp 0.14 API stores str keys in the application and the request)."""


@functools.total_ordering  # so sorted() mixes keys and str keys, in either order of comparison (aiohttp's)
class _BaseKey(Generic[_T]):
    """A typed key: ``AppKey("name", int)`` or ``AppKey[int]("name")``."""

    __slots__ = ("__orig_class__", "_name", "_t")

    def __init__(self, name: str, t: type[_T] | None = None) -> None:
        # Prefixed with the defining module's name, as aiohttp does, so that reprs tell equal names apart.
        frame = inspect.currentframe()
        module = ""
        while frame:
            if frame.f_code.co_name == "<module>":
                module = frame.f_globals["__name__"]
                break
            frame = frame.f_back
        self._name = f"{module}.{name}" if module else name
        self._t = t

    def __lt__(self, other: object) -> bool:
        if isinstance(other, _BaseKey):
            return self._name < other._name
        return True  # keys sort above other types

    def __repr__(self) -> str:
        t: Any = self._t
        if t is None:
            with suppress(AttributeError):
                t = get_args(self.__orig_class__)[0]
        if t is None:
            t_repr = "<<Unknown>>"
        elif isinstance(t, type):
            t_repr = t.__qualname__ if t.__module__ == "builtins" else f"{t.__module__}.{t.__qualname__}"
        else:
            t_repr = repr(t)
        return f"<{self.__class__.__name__}({self._name}, type={t_repr})>"


class AppKey(_BaseKey[_T]):
    """A typed key for values stored in an ``Application``."""

    __slots__ = ()


class RequestKey(_BaseKey[_T]):
    """A typed key for values stored in a ``Request``."""

    __slots__ = ()


class ResponseKey(_BaseKey[_T]):
    """A typed key for values stored in a response."""

    __slots__ = ()


class ChainMapProxy(Mapping[Any, Any]):
    """A read-only chain of mappings: a key is looked up in each in turn (``request.config_dict``: the request's
    application first, then the applications it is nested in)."""

    __slots__ = ("_maps",)

    def __init__(self, maps: Iterable[Mapping[Any, Any]]) -> None:
        self._maps = tuple(maps)

    def __init_subclass__(cls) -> None:
        raise TypeError(f"Inheritance class {cls.__name__} from ChainMapProxy is forbidden")

    def __getitem__(self, key: Any) -> Any:
        for mapping in self._maps:
            try:
                return mapping[key]
            except KeyError:
                pass
        raise KeyError(key)

    def get(self, key: Any, default: Any = None) -> Any:
        try:
            return self[key]
        except KeyError:
            return default

    def __len__(self) -> int:
        return len(set().union(*self._maps))

    def __iter__(self) -> Iterator[Any]:
        seen: dict[Any, None] = {}
        for mapping in reversed(self._maps):
            seen.update(dict.fromkeys(mapping))
        return iter(seen)

    def __contains__(self, key: object) -> bool:
        return any(key in mapping for mapping in self._maps)

    def __bool__(self) -> bool:
        return any(self._maps)

    def __repr__(self) -> str:
        return f"ChainMapProxy({', '.join(map(repr, self._maps))})"
