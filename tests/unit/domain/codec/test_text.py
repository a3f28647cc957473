from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from foxden.domain.codec import text
from foxden.domain.errors import InvalidInput


@pytest.mark.parametrize(
    ("data", "shown"),
    [
        (b"", ""),
        (b"Hello world!", "Hello world!"),
        (b" ~", " ~"),
        (b"\x00\x1f\x7f\x80\xff", "\\x00\\x1f\\x7f\\x80\\xff"),
        (b"a\\b", "a\\\\b"),
        (b"\\x41", "\\\\x41"),
        (b"\n\t\r", "\\x0a\\x09\\x0d"),
        ("é".encode(), "\\xc3\\xa9"),
    ],
)
def test_printable_ascii_passes_and_every_other_byte_is_escaped(data: bytes, shown: str) -> None:
    assert text.escape(data) == shown
    assert text.unescape(shown) == data


@given(st.binary())
def test_escaping_round_trips_and_shows_only_printable_ascii(data: bytes) -> None:
    shown = text.escape(data)
    assert shown.isascii() and shown.isprintable()
    assert text.unescape(shown) == data


def test_unescape_takes_upper_case_hex() -> None:
    assert text.unescape("\\xFF") == b"\xff"


@pytest.mark.parametrize("bad", ["\\", "a\\b", "\\x4", "\\xzz", "é", "\n", "\x7f"])
def test_unescape_refuses_what_escape_never_writes(bad: str) -> None:
    with pytest.raises(InvalidInput, match="printable ASCII only"):
        text.unescape(bad)
