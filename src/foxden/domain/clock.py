"""Time as foxden stores it: integer Unix milliseconds, converted to seconds only at an API edge."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta, tzinfo

DAY_MS = 86_400_000

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MS = timedelta(milliseconds=1)
# The instants a datetime can show in any time zone: a day inside its years 1 to 9999.
_FIRST_MS = (datetime(1, 1, 2, tzinfo=UTC) - _EPOCH) // _MS
_LAST_MS = (datetime(9999, 12, 31, tzinfo=UTC) - _EPOCH) // _MS - 1


def now_ms() -> int:
    """The current Unix time in milliseconds."""
    return time.time_ns() // 1_000_000


def to_datetime(time_ms: int, zone: tzinfo = UTC) -> datetime:
    """``time_ms`` as a date and time in ``zone``. A stored time no datetime can show (one
    written before frames' times were bounded) reads as the nearest one it can, so that no
    stored value makes a reader fail."""
    shown = min(max(time_ms, _FIRST_MS), _LAST_MS)
    return (_EPOCH + shown * _MS).astimezone(zone)
