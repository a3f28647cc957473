from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from foxden.domain import uplinks
from foxden.domain.errors import InvalidInput


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
    time=st.integers(min_value=-5, max_value=2**63),
)
def test_uplink_is_valid_or_names_the_bad_field(
    device: str, seq: int, station: str, time: int
) -> None:
    try:
        made = uplinks.uplink(
            device=device, seq_number=seq, data="", station=station, rssi=-100, snr=10, time=time
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
