from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from foxden.domain import downlink
from foxden.domain.errors import InvalidInput

HEX = "0123456789abcdefABCDEF"
# Each variable and the hex digits it stands for.
WIDTHS = {"{time}": 8, "{tapId}": 4, "{rssi}": 4, "{rsi}": 4}

rssis = st.none() | st.floats(min_value=-1e6, max_value=1e6, allow_nan=False)
tap_ids = st.none() | st.text(alphabet=HEX, min_size=1, max_size=8)
times = st.none() | st.integers(min_value=0, max_value=2**40)


@st.composite
def templates(draw: st.DrawFn) -> list[str]:
    """Tokens (hex runs and variables) that make exactly 16 hex digits once replaced."""
    tokens: list[str] = []
    left = downlink.DATA_HEX_DIGITS
    while left:
        fitting = [name for name, width in WIDTHS.items() if width <= left]
        use_variable = draw(st.booleans())
        if fitting and use_variable:
            variable = draw(st.sampled_from(fitting))
            tokens.append(variable)
            left -= WIDTHS[variable]
        else:
            run = draw(st.text(alphabet=HEX, min_size=1, max_size=left))
            tokens.append(run)
            left -= len(run)
    return tokens


def expected(token: str, rssi: float | None, tap_id: str | None, time_s: int | None) -> str:
    """What a token becomes, computed independently of the module."""
    if token == "{time}":
        return (time_s or 0).to_bytes(8, "big")[-4:].hex()
    if token == "{tapId}":
        return int(tap_id or "0", 16).to_bytes(8, "big")[-2:].hex()
    if token in ("{rssi}", "{rsi}"):
        dbm = max(-32768, min(32767, round(rssi or 0)))
        return dbm.to_bytes(2, "big", signed=True).hex()
    return token.lower()


@given(st.text(alphabet=HEX, min_size=16, max_size=16))
def test_plain_data_is_its_own_bytes(data: str) -> None:
    assert downlink.validate(f" {data}\n") == data.lower()
    assert downlink.render(data, rssi=-90.0, tap_id="1A2B", time_s=1) == bytes.fromhex(data)


@given(templates(), rssis, tap_ids, times)
def test_variables_are_replaced_by_their_big_endian_bytes(
    tokens: list[str], rssi: float | None, tap_id: str | None, time_s: int | None
) -> None:
    template = "".join(tokens)
    rendered = downlink.render(template, rssi=rssi, tap_id=tap_id, time_s=time_s)
    assert len(rendered) == 8
    assert rendered.hex() == "".join(expected(t, rssi, tap_id, time_s) for t in tokens)


@given(templates())
def test_validation_normalises_once(tokens: list[str]) -> None:
    template = "".join(tokens)
    normalised = downlink.validate(template)
    assert normalised == "".join(t if t.startswith("{") else t.lower() for t in tokens)
    assert downlink.validate(normalised) == normalised


@given(templates(), st.text(alphabet=HEX, min_size=1, max_size=4))
def test_anything_but_8_bytes_is_refused(tokens: list[str], extra: str) -> None:
    with pytest.raises(InvalidInput, match="8 bytes"):
        downlink.validate("".join(tokens) + extra)
    if len(tokens) > 1:
        with pytest.raises(InvalidInput, match="8 bytes"):
            downlink.validate("".join(tokens[1:]))


@given(st.text(max_size=30))
def test_arbitrary_text_is_refused_or_renders_8_bytes(text: str) -> None:
    try:
        normalised = downlink.validate(text)
    except InvalidInput:
        return
    assert len(downlink.render(normalised, rssi=None, tap_id=None, time_s=None)) == 8


@pytest.mark.parametrize(
    ("template", "message"),
    [
        ("deadbeefcafebab", "not 15 hex digits"),
        ("deadbeef{time}00", "not 18 hex digits"),
        ("deadbeef{lat}", "unknown variable {lat} at position 8"),
        ("deadbeef{time", "unexpected '{' at position 8"),
        ("dead beefcafebabe", "unexpected ' ' at position 4"),
        ("0xdeadbeefcafebab", "unexpected 'x' at position 1"),
        ("", "not 0 hex digits"),
    ],
)
def test_errors_say_what_and_where(template: str, message: str) -> None:
    with pytest.raises(InvalidInput, match=message.replace("{", r"\{").replace("}", r"\}")):
        downlink.validate(template)


def test_the_seeds_variables_in_one_downlink() -> None:
    data = downlink.render("{time}{tapId}{rssi}", rssi=-121.6, tap_id="0A1F", time_s=1_700_000_000)
    assert data == bytes.fromhex("6553f1000a1fff86")


def test_unknown_values_are_zeros() -> None:
    data = downlink.render("{time}{tapId}{rsi}", rssi=None, tap_id=None, time_s=None)
    assert data == bytes(8)


def test_a_station_id_must_be_hex() -> None:
    with pytest.raises(InvalidInput, match="station id"):
        downlink.render("{time}{tapId}0000", rssi=None, tap_id="roof", time_s=0)


device_ids = st.text(alphabet="0123456789ABCDEF", min_size=1, max_size=8)


@given(device_ids, st.binary(min_size=8, max_size=8), st.booleans(), st.integers(0, 3))
def test_a_receivers_downlink_is_read_back_whatever_the_ids_spelling(
    device: str, data: bytes, lower: bool, zeros: int
) -> None:
    key = "0" * zeros + (device.lower() if lower else device)
    answer = json.dumps({"other": 1, key: {"downlinkData": data.hex().upper()}})
    assert downlink.parse_answer(device, 200, answer) == data


@given(st.text(max_size=200), st.sampled_from([200, 201, 204]))
def test_any_answer_is_a_downlink_none_or_invalid(body: str, status: int) -> None:
    try:
        read = downlink.parse_answer("1A2B", status, body)
    except downlink.InvalidAnswer:
        return
    assert read is None or len(read) == 8


def test_a_deeply_nested_answer_is_invalid_not_a_crash() -> None:
    with pytest.raises(downlink.InvalidAnswer):
        downlink.parse_answer("1A2B", 200, "[" * 100_000 + "]" * 100_000)


def test_no_data_and_an_empty_answer_mean_no_downlink() -> None:
    assert downlink.parse_answer("1A2B", 204, "") is None
    assert downlink.parse_answer("1A2B", 200, "  ") is None
    assert downlink.parse_answer("1a2b", 200, '{"1A2B": {"noData": true}}') is None


@pytest.mark.parametrize(
    ("status", "acked", "expected"),
    [
        ("sent", True, (0, "Acknowledged")),
        ("sent", False, (4, "Network error")),
        ("invalid", True, (2, "Invalid payload")),
        ("not_configured", True, (8, "Invalid configuration")),
        ("no_answer", True, (1, "No answer")),
        (None, True, (1, "No answer")),
    ],
)
def test_acknowledge_info_codes(status: str | None, acked: bool, expected: tuple[int, str]) -> None:
    assert downlink.info_code(status, acked) == expected
