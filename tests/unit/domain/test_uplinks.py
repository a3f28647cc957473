from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from foxden.domain import uplinks
from foxden.domain.errors import InvalidInput

NOW = 1_800_000_000_000


@given(st.binary(max_size=12), st.booleans())
def test_payload_round_trips_any_frame(raw: bytes, upper: bool) -> None:
    text = raw.hex().upper() if upper else raw.hex()
    assert uplinks.payload(text) == raw


@given(st.binary(min_size=13, max_size=40))
def test_payloads_over_12_bytes_are_refused(raw: bytes) -> None:
    with pytest.raises(InvalidInput, match="more than the 12"):
        uplinks.payload(raw.hex())


@given(st.text(max_size=30))
def test_any_text_is_a_payload_or_a_clear_error(text: str) -> None:
    try:
        raw = uplinks.payload(text)
    except InvalidInput as exc:
        assert exc.message.startswith("data: ")
    else:
        assert raw.hex() == text.strip().lower()


@given(
    device=st.text(max_size=10),
    seq=st.integers(min_value=-10, max_value=5000),
    station=st.text(max_size=6),
    time=st.integers(min_value=-5, max_value=2**70),
)
def test_uplink_is_valid_or_names_the_bad_field(
    device: str, seq: int, station: str, time: int
) -> None:
    try:
        made = uplinks.uplink(
            device=device,
            seq_number=seq,
            data="",
            station=station,
            rssi=-100,
            snr=10,
            time=time,
            now=NOW,
        )
    except InvalidInput as exc:
        assert exc.message.split(" ")[0].rstrip(":") in {
            "invalid",
            "seqNumber",
            "time",
            "data",
        }
    else:
        assert made.device_id == device.strip().upper()
        assert 0 <= made.seq_number <= 4095
        assert len(made.station_id) == 4
        assert uplinks.EARLIEST <= made.time <= NOW + uplinks.AHEAD_MS


@given(st.integers(min_value=-(2**80), max_value=2**80), st.sampled_from(uplinks.TimeUnit))
def test_a_reception_time_is_in_the_window_or_refused_in_the_senders_unit(
    time: int, unit: uplinks.TimeUnit
) -> None:
    try:
        time_ms = uplinks.reception_time(time, unit, NOW)
    except InvalidInput as exc:
        assert exc.message.startswith(f"time: {time} is not a plausible reception time")
        assert f"in Unix {unit.name.lower()}: " in exc.message
        assert not uplinks.plausible(time * unit, NOW)
    else:
        assert time_ms == time * unit
        assert uplinks.EARLIEST <= time_ms <= NOW + uplinks.AHEAD_MS < 2**63


@pytest.mark.parametrize(
    ("time", "unit", "taken"),
    [
        (uplinks.EARLIEST, uplinks.TimeUnit.MILLISECONDS, True),
        (uplinks.EARLIEST - 1, uplinks.TimeUnit.MILLISECONDS, False),
        (NOW + uplinks.AHEAD_MS, uplinks.TimeUnit.MILLISECONDS, True),
        (NOW + uplinks.AHEAD_MS + 1, uplinks.TimeUnit.MILLISECONDS, False),
        ((NOW + uplinks.AHEAD_MS) // 1000, uplinks.TimeUnit.SECONDS, True),
        ((NOW + uplinks.AHEAD_MS) // 1000 + 1, uplinks.TimeUnit.SECONDS, False),
        (NOW // 1000, uplinks.TimeUnit.MILLISECONDS, False),  # seconds sent as ms
        (NOW, uplinks.TimeUnit.SECONDS, False),  # ms sent as seconds
    ],
)
def test_the_window_runs_from_2010_to_an_hour_ahead(
    time: int, unit: uplinks.TimeUnit, taken: bool
) -> None:
    assert uplinks.plausible(time * unit, NOW) is taken
    if not taken:
        with pytest.raises(InvalidInput) as refused:
            uplinks.reception_time(time, unit, NOW)
        assert refused.value.message == (
            f"time: {time} is not a plausible reception time: a frame's time is from"
            " 2010-01-01T00:00:00Z to an hour ahead of foxden's clock, in Unix"
            f" {unit.name.lower()}: {1_262_304_000_000 // unit} to"
            f" {(NOW + 3_600_000) // unit} now"
        )
