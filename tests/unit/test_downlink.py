from __future__ import annotations

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
