from __future__ import annotations

import string

import pytest
from hypothesis import given
from hypothesis import strategies as st

from foxden.domain import ids
from foxden.domain.errors import InvalidInput

HEX = "0123456789abcdefABCDEF"


@given(st.text(alphabet=HEX, min_size=1, max_size=8))
def test_device_ids_are_canonical_upper_case(raw: str) -> None:
    assert ids.device_id(raw) == raw.upper()
    assert ids.device_id(f" {raw.lower()} ") == raw.upper()


@given(st.text(max_size=12))
def test_device_id_accepts_only_one_to_eight_hex_digits(raw: str) -> None:
    stripped = raw.strip()
    valid = 1 <= len(stripped) <= 8 and all(c in HEX for c in stripped)
    if valid:
        assert ids.device_id(raw) == stripped.upper()
    else:
        with pytest.raises(InvalidInput):
            ids.device_id(raw)


@given(st.text(alphabet=HEX, min_size=16, max_size=16))
def test_pac_round_trips(raw: str) -> None:
    assert ids.pac(raw) == raw.upper()


@pytest.mark.parametrize("bad", ["", "0" * 15, "0" * 17, "G" * 16])
def test_bad_pacs_are_refused(bad: str) -> None:
    with pytest.raises(InvalidInput, match="PAC"):
        ids.pac(bad)


def test_object_ids_carry_their_second_and_grow() -> None:
    made = [ids.new_object_id(1_700_000_000) for _ in range(1000)]
    assert all(ids.is_object_id(i) for i in made)
    assert all(i.startswith(f"{1_700_000_000:08x}") for i in made)
    assert made == sorted(made)
    assert len(set(made)) == 1000
    assert ids.new_object_id(1_700_000_001) > made[-1]


def test_generated_ids_have_the_api_formats() -> None:
    station = ids.new_station_id()
    assert ids.station_id(station) == station and len(station) == 4
    operator = ids.new_operator_id()
    assert operator.startswith("OP") and operator[2:].isdigit() and len(operator) == 12
    assert ids.new_auth_key_id().startswith("keyId-")
    assert ids.new_api_key().startswith("api-")
    pac = ids.new_pac()
    assert ids.pac(pac) == pac
    assert all(c in string.hexdigits for c in pac)
