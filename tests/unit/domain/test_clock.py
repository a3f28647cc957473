from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from hypothesis import given
from hypothesis import strategies as st

from foxden.domain import clock
from foxden.domain.status_events import communication_lost, communication_restored
from foxden.domain.users import java_date

INT64 = st.integers(min_value=-(2**63), max_value=2**63 - 1)
ZONES = st.sampled_from(["UTC", "Pacific/Kiritimati", "Pacific/Pago_Pago", "Asia/Kathmandu"])


@given(st.integers(min_value=-(2**80), max_value=2**80), ZONES)
def test_any_time_is_a_date_in_any_zone(time_ms: int, zone: str) -> None:
    shown = clock.to_datetime(time_ms, ZoneInfo(zone))
    assert datetime(1, 1, 2, tzinfo=UTC) <= shown <= datetime(9999, 12, 31, tzinfo=UTC)


@given(st.integers(min_value=-62_000_000_000_000, max_value=253_000_000_000_000))
def test_a_time_a_date_can_show_is_shown_to_the_millisecond(time_ms: int) -> None:
    shown = clock.to_datetime(time_ms)
    assert round(shown.timestamp() * 1000) == time_ms


def test_times_beyond_a_date_read_as_the_ends_of_its_range() -> None:
    assert clock.to_datetime(2**63 - 1) == datetime(9999, 12, 30, 23, 59, 59, 999_000, UTC)
    assert clock.to_datetime(253_402_300_800_000) == clock.to_datetime(2**63 - 1)
    assert clock.to_datetime(-(2**63)) == datetime(1, 1, 2, tzinfo=UTC)


@given(INT64, ZONES)
def test_texts_of_stored_times_never_fail(time_ms: int, zone: str) -> None:
    assert communication_lost(time_ms).startswith("No message received since ")
    assert communication_restored(time_ms).endswith(" UTC")
    assert java_date(time_ms, zone)


def test_a_far_time_reads_as_the_last_date() -> None:
    assert communication_lost(2**63 - 1) == "No message received since 9999-12-30 23:59:59 UTC"
    assert java_date(2**63 - 1, "UTC") == "Thu Dec 30 23:59:59 UTC 9999"
