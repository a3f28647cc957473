"""Soracom's pure rules: tag filters and bounds, group configuration edits, Harvest content."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from foxden.domain import config_groups, harvest, tags
from foxden.domain.config_groups import Namespace
from foxden.domain.devices import LinkQuality
from foxden.domain.errors import InvalidInput
from foxden.domain.messages import Message
from foxden.domain.uplinks import FrameKind

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(), inner, max_size=3),
    max_leaves=8,
)
namespaces = st.sampled_from(Namespace)
parameters = st.dictionaries(st.text(max_size=8), json_values, max_size=4)
configurations = st.dictionaries(namespaces.map(str), parameters, max_size=4)


@st.composite
def tag_cases(draw: st.DrawFn) -> tuple[dict[str, str], str, str]:
    """Tags, and a filter name and value that often hit one of them (or a prefix of it)."""
    found = draw(st.dictionaries(st.text(max_size=5), st.text(max_size=5), max_size=4))
    name = draw(st.sampled_from(sorted(found)) | st.text(max_size=5) if found else st.text())
    held = found.get(name, "")
    cut = draw(st.integers(0, len(held)))
    value = draw(st.sampled_from([held, held[:cut]]) | st.text(max_size=5))
    return found, name, value


@given(tag_cases())
def test_exact_filter_keeps_tags_with_that_very_value(
    case: tuple[dict[str, str], str, str],
) -> None:
    found, name, value = case
    kept = tags.TagFilter(name, value, tags.MatchMode.EXACT).matches(found)
    assert kept == (name in found and found[name] == value)


@given(tag_cases())
def test_prefix_filter_keeps_tags_whose_value_starts_so(
    case: tuple[dict[str, str], str, str],
) -> None:
    found, name, value = case
    kept = tags.TagFilter(name, value, tags.MatchMode.PREFIX).matches(found)
    assert kept == (name in found and found[name].startswith(value))


@given(st.none() | st.text(), st.sampled_from(tags.MatchMode))
def test_no_tag_name_means_no_filter(value: str | None, mode: tags.MatchMode) -> None:
    assert tags.tag_filter(None, value, mode) is None


@given(st.text(), st.text(), st.sampled_from(tags.MatchMode))
def test_tag_filter_keeps_what_the_request_names(
    name: str, value: str, mode: tags.MatchMode
) -> None:
    assert tags.tag_filter(name, value, mode) == tags.TagFilter(name, value, mode)
    with pytest.raises(InvalidInput, match="tag_value"):
        tags.tag_filter(name, None, mode)


lengths = st.integers(0, 300) | st.sampled_from([0, 1, 255, 256])
value_lengths = st.integers(0, 1100) | st.sampled_from([0, 1024, 1025])


@given(st.lists(st.tuples(lengths, value_lengths, st.sampled_from("ab")), max_size=4))
def test_checked_tags_hold_names_of_1_to_255_and_values_up_to_1024(
    sizes: list[tuple[int, int, str]],
) -> None:
    pairs = [(letter * name, "v" * value) for name, value, letter in sizes]
    valid = all(0 < len(name) <= 255 and len(value) <= 1024 for name, value in pairs)
    if valid:
        assert tags.checked(pairs) == dict(pairs)
    else:
        with pytest.raises(InvalidInput):
            tags.checked(pairs)


@given(st.lists(st.tuples(st.text(min_size=1, max_size=3), st.text(max_size=3)), max_size=6))
def test_checked_tags_let_the_later_value_win(pairs: list[tuple[str, str]]) -> None:
    assert tags.checked(iter(pairs)) == dict(pairs)


@given(configurations, namespaces, parameters)
def test_with_parameters_sets_them_and_keeps_the_rest(
    configuration: dict[str, dict[str, Any]], namespace: Namespace, given_: dict[str, Any]
) -> None:
    before = json.dumps(configuration, sort_keys=True)
    updated = config_groups.with_parameters(configuration, namespace, given_.items())
    assert updated[namespace] == {**configuration.get(namespace, {}), **given_}
    assert {name: value for name, value in updated.items() if name != namespace} == {
        name: value for name, value in configuration.items() if name != namespace
    }
    assert json.dumps(configuration, sort_keys=True) == before


@given(configurations, namespaces, parameters)
def test_without_namespace_undoes_any_setting_of_it(
    configuration: dict[str, dict[str, Any]], namespace: Namespace, given_: dict[str, Any]
) -> None:
    updated = config_groups.with_parameters(configuration, namespace, given_.items())
    assert config_groups.without_namespace(updated, namespace) == {
        name: value for name, value in configuration.items() if name != namespace
    }


@given(configurations, namespaces)
def test_without_an_absent_namespace_is_invalid(
    configuration: dict[str, dict[str, Any]], namespace: Namespace
) -> None:
    configuration.pop(namespace, None)
    with pytest.raises(InvalidInput):
        config_groups.without_namespace(configuration, namespace)


@given(configurations, namespaces, st.text(max_size=8), json_values)
def test_without_parameter_undoes_setting_it(
    configuration: dict[str, dict[str, Any]], namespace: Namespace, key: str, value: Any
) -> None:
    updated = config_groups.with_parameters(configuration, namespace, [(key, value)])
    removed = config_groups.without_parameter(updated, namespace, key)
    expected = {
        name: held for name, held in configuration.get(namespace, {}).items() if name != key
    }
    assert removed[namespace] == expected
    assert config_groups.without_parameter(removed, namespace, key) == removed


@given(configurations, namespaces, st.text(max_size=8))
def test_without_an_absent_parameter_changes_nothing(
    configuration: dict[str, dict[str, Any]], namespace: Namespace, key: str
) -> None:
    if key in configuration.get(namespace, {}):
        configuration[namespace].pop(key)
    assert config_groups.without_parameter(configuration, namespace, key) == configuration


@given(configurations, json_values | st.sampled_from(["true", "TRUE", "True", "false", " true"]))
def test_harvest_is_enabled_only_by_true_or_its_text(
    configuration: dict[str, dict[str, Any]], value: Any
) -> None:
    harvest_on = config_groups.with_parameters(
        configuration, Namespace.HARVEST, [("enabled", value)]
    )
    as_text = isinstance(value, str) and value.lower() == "true"
    assert config_groups.harvest_enabled(harvest_on) is (value is True or as_text)
    other = config_groups.with_parameters({}, Namespace.AIR, [("enabled", True)])
    assert not config_groups.harvest_enabled(other)


FRAME_FIELDS = {"device", "time", "data", "seqNumber", "lqi", "operatorName", "binaryParserEnabled"}


@given(
    device_id=st.text(),
    time=st.integers(0, 2**62),
    seq=st.integers(0, 4095),
    data=st.binary(max_size=12).map(bytes.hex),
    quality=st.none() | st.sampled_from(LinkQuality),
    decoded=st.none()
    | st.dictionaries(
        st.text().filter(lambda name: name not in FRAME_FIELDS), json_values, max_size=4
    ),
)
def test_harvest_content_is_json_describing_the_frame(
    device_id: str,
    time: int,
    seq: int,
    data: str,
    quality: LinkQuality | None,
    decoded: dict[str, Any] | None,
) -> None:
    message = Message(
        id=1,
        device_id=device_id,
        device_type_id="type",
        time=time,
        seq_number=seq,
        kind=FrameKind.DATA,
        data=data,
        ack=False,
        rssi=None,
        snr=None,
        link_quality=quality,
        forwarded=True,
        decoded=decoded,
    )
    content = json.loads(harvest.content(message))
    expected: dict[str, Any] = {
        "device": device_id,
        "time": str(time // 1000),
        "data": data,
        "seqNumber": str(seq),
        "operatorName": "foxden",
    }
    if quality is not None:
        expected["lqi"] = quality.value[0] + quality.value[1:].lower()
    if decoded:
        expected.update(decoded, binaryParserEnabled=True)
    assert content == expected
