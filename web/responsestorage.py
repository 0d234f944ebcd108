"""aiohttp 3's response storage: a response is a ``MutableMapping`` of what middlewares and handlers keep on it
(``response[key] = value``, with str keys or :class:`~web.ResponseKey` instances), as the request and the
application are. As in aiohttp 3 (whose 0.14 API had no response storage), the first store under each str key
emits ``NotAppKeyWarning`` (a ``UserWarning``) recommending a ``ResponseKey``.

:class:`ResponseStorage` gives :class:`~web.StreamResponse` the interface without deriving from
``collections.abc.MutableMapping``: that base would make ``ABCMeta`` the metaclass of every response class, and an
``isinstance`` check against one costs about 100 ns more (the request handler makes two per request). The mixin
methods (``get``, ``keys``, ``update``...) are ``MutableMapping``'s own, and the class is registered as one, so
``isinstance(response, MutableMapping)`` holds as in aiohttp. A response compares by identity and is always true,
however much it stores. Like aiohttp's, a response class can be subscripted (``MutableMapping``'s
``__class_getitem__``): ``StreamResponse[...]`` is a ``types.GenericAlias``, and so is a subscripted ``Generic``
subclass of a response, whose ``|`` is then a ``types.UnionType`` (aiohttp-apischema reads its handlers' return
annotations, ``APIResponse[Poll, Literal[200]] | APIResponse[None, Literal[404]]``, so).
"""

from __future__ import annotations

import types
from collections.abc import Iterator, MutableMapping
from typing import Any

__all__ = ["ResponseStorage"]

# The str keys already warned about, once per process as in aiohttp 3 (a class-level set there).
_SEEN_STR_KEYS: set[str] = set()


def _warn_str_key(key: str) -> None:
    import warnings

    from .appkey import NotAppKeyWarning

    _SEEN_STR_KEYS.add(key)
    warnings.warn(
        "It is recommended to use web.ResponseKey instances for keys.\n"
        "https://docs.aiohttp.org/en/stable/web_advanced.html#response-s-storage",
        NotAppKeyWarning,
        stacklevel=3,
    )


class ResponseStorage:
    """The ``MutableMapping`` part of a response; the dict is made on the first store (most responses keep none)."""

    __slots__ = ()

    _state: dict[Any, Any] | None = None

    __class_getitem__ = classmethod(types.GenericAlias)

    def __getitem__(self, key: Any) -> Any:
        if self._state is None:
            raise KeyError(key)
        return self._state[key]

    def __setitem__(self, key: Any, value: Any) -> None:
        if key.__class__ is str and key not in _SEEN_STR_KEYS:
            _warn_str_key(key)
        if self._state is None:
            self._state = {}
        self._state[key] = value

    def __delitem__(self, key: Any) -> None:
        if self._state is None:
            raise KeyError(key)
        del self._state[key]

    def __iter__(self) -> Iterator[Any]:
        return iter(self._state or ())

    def __len__(self) -> int:
        return len(self._state or ())

    def __bool__(self) -> bool:
        return True


for _name in ("__contains__", "keys", "items", "values", "get", "pop", "popitem", "clear", "update", "setdefault"):
    setattr(ResponseStorage, _name, getattr(MutableMapping, _name))
MutableMapping.register(ResponseStorage)
