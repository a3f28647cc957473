from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote, quote_from_bytes, urlencode

import pytest
from hypothesis import given
from hypothesis import strategies as st

from foxden.api import text
from foxden.domain.errors import InvalidInput

# Every code point, lone surrogates and NUL included.
any_text = st.text(st.characters(codec=None, categories=None))
json_documents = st.recursive(
    st.none() | st.booleans() | st.integers() | any_text,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(any_text, inner, max_size=3),
    max_leaves=8,
)


def storable(value: str) -> bool:
    """What the databases can hold: UTF-8 encodable text without NUL."""
    try:
        value.encode()
    except UnicodeEncodeError:
        return False
    return "\x00" not in value


def strings(node: Any) -> list[str]:
    if isinstance(node, str):
        return [node]
    if isinstance(node, dict):
        return [*node, *(s for value in node.values() for s in strings(value))]
    if isinstance(node, list):
        return [s for item in node for s in strings(item)]
    return []


@given(any_text)
def test_refused_finds_exactly_what_cannot_be_stored(value: str) -> None:
    assert (text.refused(value) is None) == storable(value)


@given(st.binary())
def test_a_path_passes_when_its_decoded_bytes_are_storable_utf8(raw: bytes) -> None:
    path = b"/v1/groups/" + quote_from_bytes(raw).encode()
    try:
        expected = storable(raw.decode())
    except UnicodeDecodeError:
        expected = False
    try:
        text.check_path(path)
    except InvalidInput:
        assert not expected
    else:
        assert expected


@given(st.binary(), st.binary())
def test_a_query_passes_when_each_name_and_value_is_storable_utf8(
    name: bytes, value: bytes
) -> None:
    query = urlencode({name: value}).encode()
    try:
        expected = storable(name.decode()) and storable(value.decode())
    except UnicodeDecodeError:
        expected = False
    try:
        text.check_query(query)
    except InvalidInput:
        assert not expected
    else:
        assert expected


@pytest.mark.parametrize("ascii_only", [True, False], ids=["escaped", "utf-8"])
@given(document=json_documents)
def test_a_json_body_passes_when_each_string_and_key_is_storable(
    document: Any, ascii_only: bool
) -> None:
    # Written as UTF-8, a lone surrogate becomes bytes that are not UTF-8: refused all the same.
    body = json.dumps(document, ensure_ascii=ascii_only).encode("utf-8", "surrogatepass")
    expected = all(storable(s) for s in strings(document))
    try:
        text.check_body(body)
    except InvalidInput:
        assert not expected
    else:
        assert expected


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"email": "a\x00b"}, "email: must not contain the character U+0000."),
        (
            {"tags": [{"tagValue": "\ud800"}]},
            "tags.0.tagValue: must not contain the character U+D800.",
        ),
        ({"a\x00": 1}, "The request body must not contain the character U+0000."),
        ({"tags": {"x\x00": 1}}, "tags: must not contain the character U+0000."),
        ("\x00", "The request body must not contain the character U+0000."),
    ],
)
def test_a_refused_body_names_the_field_as_written(body: Any, message: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        text.check_body(json.dumps(body).encode())
    assert refused.value.message == message


@pytest.mark.parametrize(
    ("check", "given", "message"),
    [
        (text.check_path, b"/v1/groups/%00", "The path must not contain the character U+0000."),
        (text.check_path, b"/v1/groups/%ff", "The path is not valid UTF-8 once percent-decoded."),
        (
            text.check_query,
            b"a=1&tag_value=%00",
            "tag_value: must not contain the character U+0000.",
        ),
        (
            text.check_query,
            b"%00=1",
            "A query parameter's name must not contain the character U+0000.",
        ),
        (
            text.check_query,
            b"last_evaluated_key=%ff",
            "The query string is not valid UTF-8 once percent-decoded.",
        ),
        (text.check_body, b'{"a": "\xff"}', "The request body is not valid UTF-8."),
    ],
)
def test_refusals_say_where(check: Any, given: bytes, message: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        check(given)
    assert refused.value.message == message


def test_control_characters_other_than_nul_are_text() -> None:
    text.check_body(json.dumps({"description": "line\nbreak\ttab\x01\x1f\x7f"}).encode())
    text.check_query(("q=" + quote("\x01\n\x7f")).encode())
