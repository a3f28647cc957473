from __future__ import annotations

import itertools

import pytest
from hypothesis import given
from hypothesis import strategies as st

from foxden.domain.templates import Part, Variable, parse, render, variables

names = st.from_regex(r"[A-Za-z][A-Za-z0-9_]{0,12}(#[A-Za-z0-9_-]{1,8})?", fullmatch=True)
plain = st.text(alphabet=st.characters(blacklist_characters="{}"), max_size=20)


def _source(parts: tuple[Part, ...]) -> str:
    return "".join(p if isinstance(p, str) else f"{{{p.name}}}" for p in parts)


@pytest.mark.parametrize(
    ("template", "parts"),
    [
        ("", ()),
        ("plain text", ("plain text",)),
        ("{device}", (Variable("device"),)),
        ("d={device}&t={time}", ("d=", Variable("device"), "&t=", Variable("time"))),
        ("{customData#temp}", (Variable("customData#temp"),)),
        ('{"device": "{device}"}', ('{"device": "', Variable("device"), '"}')),
        ('{"n": {seqNumber}}', ('{"n": ', Variable("seqNumber"), "}")),
        ("{{device}}", ("{", Variable("device"), "}")),
    ],
)
def test_parse_splits_text_and_variables(template: str, parts: tuple[Part, ...]) -> None:
    assert parse(template) == parts


@pytest.mark.parametrize(
    "template", ["{}", "{ device }", "{1st}", "{dev ice}", "{-x}", '{"a": 1}', "{device", "}{"]
)
def test_braces_around_no_name_are_text(template: str) -> None:
    assert parse(template) == (template,)
    assert variables(template) == []


def test_variables_are_listed_once_in_order_of_first_use() -> None:
    assert variables("{time} {device} {time} {customData#a}") == ["time", "device", "customData#a"]


def test_a_hash_suffix_is_part_of_the_name() -> None:
    assert variables("{customData#a-b_c#1} {foo#}") == ["customData#a-b_c#1", "foo#"]


def test_render_fills_each_variable() -> None:
    values = {"device": "C0FE", "time": "1700000000"}
    assert render("/{device}?t={time}&again={device}", values) == "/C0FE?t=1700000000&again=C0FE"


def test_render_leaves_a_variable_without_value_empty() -> None:
    assert render("rssi={rssi};", {}) == "rssi=;"


def test_render_does_not_read_variables_inside_values() -> None:
    assert render("{device}", {"device": "{time}", "time": "1"}) == "{time}"


@given(st.text(max_size=60))
def test_parse_keeps_every_character(template: str) -> None:
    parts = parse(template)
    assert _source(parts) == template
    assert all(a != "" for a in parts)
    assert not any(isinstance(a, str) and isinstance(b, str) for a, b in itertools.pairwise(parts))


@given(st.text(max_size=60))
def test_rendering_each_variable_as_itself_gives_the_template(template: str) -> None:
    assert render(template, {name: f"{{{name}}}" for name in variables(template)}) == template


@given(st.lists(st.tuples(plain, names), max_size=6), plain)
def test_variables_are_found_between_any_text(pieces: list[tuple[str, str]], tail: str) -> None:
    template = "".join(f"{text}{{{name}}}" for text, name in pieces) + tail
    assert variables(template) == list(dict.fromkeys(name for _, name in pieces))
    assert render(template, {}) == "".join(text for text, _ in pieces) + tail
