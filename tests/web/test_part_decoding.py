"""A multipart part's encodings undone piece by piece (web.part_decoding), each case fed three ways."""

from __future__ import annotations

import base64
import binascii
import gzip
import zlib

import pytest

from web.multipart_parser import MalformedMultipart
from web.part_decoding import MAX_PIECE, PartDecoder

TEXT = ("Grüße, =équipe= \t\r\n" * 40).encode()


def raw_deflate(data: bytes) -> bytes:
    compressor = zlib.compressobj(wbits=-zlib.MAX_WBITS)
    return compressor.compress(data) + compressor.flush()


# (headers, form_data, data as sent, data decoded)
CASES = {
    "no encoding": ({}, True, TEXT, TEXT),
    "binary": ({"Content-Transfer-Encoding": "binary"}, True, b"\x00" * 10, b"\x00" * 10),
    "8bit, any case": ({"Content-Transfer-Encoding": " 8BIT "}, True, TEXT, TEXT),
    "base64 in 76-character lines": (
        {"Content-Transfer-Encoding": "base64"},
        True,
        base64.encodebytes(TEXT).replace(b"\n", b"\r\n"),
        TEXT,
    ),
    "quoted-printable": ({"Content-Transfer-Encoding": "quoted-printable"}, True, binascii.b2a_qp(TEXT), TEXT),
    "gzip": ({"Content-Encoding": "gzip"}, False, gzip.compress(TEXT), TEXT),
    "deflate (raw, as aiohttp reads it)": ({"Content-Encoding": "deflate"}, False, raw_deflate(TEXT), TEXT),
    "identity": ({"Content-Encoding": "identity"}, False, TEXT, TEXT),
    "base64 of gzip": (
        {"Content-Transfer-Encoding": "base64", "Content-Encoding": "gzip"},
        False,
        base64.encodebytes(gzip.compress(TEXT)),
        TEXT,
    ),
    # RFC 7578 §4.8: a form-data part has no Content-Encoding; the header is ignored there, as aiohttp does.
    "gzip label in form-data": ({"Content-Encoding": "gzip"}, True, TEXT, TEXT),
}


def decode(decoder: PartDecoder, pieces: list[bytes]) -> bytes:
    out = [piece for data in pieces for piece in decoder.feed(data)]
    return b"".join([*out, *decoder.flush()])


def three_ways(data: bytes) -> dict[str, list[bytes]]:
    return {
        "whole": [data],
        "byte by byte": [data[i : i + 1] for i in range(len(data))],
        "uneven": [data[:1], data[1:7], data[7:8], data[8:]],
    }


@pytest.mark.parametrize("how", ["whole", "byte by byte", "uneven"])
@pytest.mark.parametrize("case", CASES)
def test_decodes_whatever_the_pieces(case: str, how: str) -> None:
    headers, form_data, sent, expected = CASES[case]
    assert decode(PartDecoder(headers, form_data=form_data), three_ways(sent)[how]) == expected


@pytest.mark.parametrize("case", ["base64 in 76-character lines", "quoted-printable", "gzip"])
def test_split_in_two_at_every_offset(case: str) -> None:
    headers, form_data, sent, expected = CASES[case]
    for cut in range(len(sent) + 1):
        assert decode(PartDecoder(headers, form_data=form_data), [sent[:cut], sent[cut:]]) == expected, cut


@pytest.mark.parametrize(
    ("headers", "form_data"),
    [
        ({"Content-Transfer-Encoding": "uuencode"}, True),
        ({"Content-Encoding": "br"}, False),
    ],
)
def test_an_unknown_encoding_is_refused(headers: dict[str, str], form_data: bool) -> None:
    with pytest.raises(MalformedMultipart, match="unknown content"):
        PartDecoder(headers, form_data=form_data)


@pytest.mark.parametrize(
    ("headers", "sent"),
    [
        ({"Content-Transfer-Encoding": "base64"}, b"QUJD\r\nRA"),  # ends inside a 4-character group
        ({"Content-Encoding": "gzip"}, gzip.compress(TEXT)[:-9]),  # ends before the gzip trailer
        ({"Content-Encoding": "gzip"}, b"not gzip at all"),
    ],
)
def test_undecodable_data_is_refused(headers: dict[str, str], sent: bytes) -> None:
    with pytest.raises(MalformedMultipart):
        decode(PartDecoder(headers, form_data=False), [sent])


def test_a_compression_bomb_inflates_in_bounded_pieces() -> None:
    bomb = gzip.compress(b"\0" * (16 * MAX_PIECE))
    decoder = PartDecoder({"Content-Encoding": "gzip"}, form_data=False)
    sizes = [len(piece) for piece in decoder.feed(bomb)]
    assert max(sizes) <= MAX_PIECE and sum(sizes) + sum(map(len, decoder.flush())) == 16 * MAX_PIECE
