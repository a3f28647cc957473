from __future__ import annotations

import base64

import pytest
from hypothesis import given
from hypothesis import strategies as st

from foxden.api import basic
from foxden.domain.errors import Unauthenticated

logins = st.text(st.characters(codec="utf-8", exclude_characters=":\x00"))
passwords = st.text(st.characters(codec="utf-8", exclude_characters="\x00"))


def encoded(raw: bytes) -> str:
    return base64.b64encode(raw).decode()


@given(logins, passwords)
def test_credentials_read_back_as_sent(login: str, password: str) -> None:
    read = basic.credentials(encoded(f"{login}:{password}".encode()))
    assert (read.username, read.password) == (login, password)


@given(st.binary())
def test_any_parameter_is_credentials_or_a_401(raw: bytes) -> None:
    try:
        basic.credentials(encoded(raw))
    except Unauthenticated as refused:
        assert refused.message.startswith("Basic credentials ")


@given(st.text(st.characters(max_codepoint=255)))
def test_any_header_text_is_credentials_or_a_401(param: str) -> None:
    # A header's bytes reach the application as latin-1 text: any of the 256 characters.
    try:
        basic.credentials(param)
    except Unauthenticated as refused:
        assert refused.message.startswith("Basic credentials ")


@pytest.mark.parametrize(
    ("param", "message"),
    [
        ("éé", "Basic credentials must be login:password in UTF-8 and base64."),
        ("!!!", "Basic credentials must be login:password in UTF-8 and base64."),
        ("YWJj", "Basic credentials must be login:password (no colon found)."),
        (encoded(b"\xff:x"), "Basic credentials must be login:password in UTF-8 and base64."),
        (encoded(b"a\x00b:x"), "Basic credentials must not contain the character U+0000."),
        (encoded(b"login:pass\x00"), "Basic credentials must not contain the character U+0000."),
    ],
)
def test_malformed_credentials_are_a_401_saying_why(param: str, message: str) -> None:
    with pytest.raises(Unauthenticated) as refused:
        basic.credentials(param)
    assert refused.value.message == message
