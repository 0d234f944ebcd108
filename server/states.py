"""The connection's state: where its request cycle is and how it handles an ``Upgrade``.

Every transition of these two enums, and the rules they follow, is in one table: the docstring of
:mod:`server.protocol`.
"""

from __future__ import annotations

import enum

__all__ = ["MIXIN_SLOTS", "Phase", "Upgrade"]

# The __slots__ of the connection's base classes (ParserCallbacks, UpgradeHandling): their attributes are
# HttpProtocol's slots. A name, not the literal (): mypy holds a class whose __slots__ it reads to them, and these
# classes assign the attributes their subclass declares.
MIXIN_SLOTS: tuple[str, ...] = ()


class Phase(enum.Enum):
    """Where a connection's request cycle is; the ticker reads ``phase`` and ``deadline`` to decide what a passed
    deadline means (see the table in :mod:`server.protocol`)."""

    AWAITING_HEAD = "awaiting a request head"
    ANSWERING = "answering requests"
    IDLE = "idle between requests"


class Upgrade(enum.Enum):
    """How the connection handles an ``Upgrade`` request (see :mod:`server.protocol`)."""

    NONE = "no upgrade"
    DECLINED = "declined upgrade, parser to replace"
    RESUMING = "declined upgrade, parser replaced"
    PENDING = "upgrade waiting for the handler"
    TAKEN_OVER = "taken over by a sink"
