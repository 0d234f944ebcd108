"""A stream with aiohttp StreamReader's reading interface over bytes, for the multipart readers' tests
(tests/web/test_multipart.py, tests/web/test_part_reader.py)."""

from __future__ import annotations

import io


class Stream:
    """aiohttp StreamReader's reading interface over bytes, handing out at most ``piece`` bytes per read."""

    def __init__(self, data: bytes, piece: int = 1 << 30) -> None:
        self.data = io.BytesIO(data)
        self.piece = piece

    async def read(self, n: int = -1) -> bytes:
        return self.data.read(min(n, self.piece) if n >= 0 else -1)

    async def readline(self, *, max_line_length: int | None = None) -> bytes:
        return self.data.readline()

    def at_eof(self) -> bool:
        return self.data.tell() == len(self.data.getbuffer())

    def unread_data(self, data: bytes) -> None:
        self.data = io.BytesIO(data + self.data.read())

    def rest(self) -> bytes:
        return self.data.read()
