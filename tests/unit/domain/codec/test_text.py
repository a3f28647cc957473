from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from foxden.domain.codec import text


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


@given(st.binary(), st.binary())
def test_escaping_shows_only_printable_ascii_and_tells_frames_apart(a: bytes, b: bytes) -> None:
    shown = text.escape(a)
    assert shown.isascii() and shown.isprintable()
    assert (shown == text.escape(b)) == (a == b)
