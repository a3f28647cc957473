"""Per device and day counters: uplinks, their bytes, and downlinks."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, select
from sqlalchemy.dialects import postgresql, sqlite

from foxden.domain.clock import DAY_MS
from foxden.storage.tables import device_days


def day_of(time: int) -> int:
    """The UTC day (days since the Unix epoch) of a Unix time in milliseconds."""
    return time // DAY_MS


def _upsert(dialect: Any) -> Any:
    """The counting upsert in a dialect's syntax (both spell it ON CONFLICT DO UPDATE)."""
    statement = dialect.insert(device_days)
    return statement.on_conflict_do_update(
        index_elements=[device_days.c.device_id, device_days.c.day],
        set_={
            name: device_days.c[name] + statement.excluded[name]
            for name in ("uplinks", "uplink_bytes", "downlinks")
        },
    )


# Run for every uplink: built once per dialect.
_UPSERT = {"postgresql": _upsert(postgresql), "sqlite": _upsert(sqlite)}


def _add(
    conn: Connection, device_id: str, time: int, uplinks: int, size: int, downlinks: int
) -> None:
    conn.execute(
        _UPSERT[conn.dialect.name],
        {
            "device_id": device_id,
            "day": day_of(time),
            "uplinks": uplinks,
            "uplink_bytes": size,
            "downlinks": downlinks,
        },
    )


def count_uplink(conn: Connection, device_id: str, time: int, size: int) -> None:
    """Add one uplink of ``size`` bytes to the device's day."""
    _add(conn, device_id, time, 1, size, 0)


def count_downlink(conn: Connection, device_id: str, time: int) -> None:
    """Add one downlink to the device's day."""
    _add(conn, device_id, time, 0, 0, 1)


def get(conn: Connection, device_id: str, day: int) -> tuple[int, int, int]:
    """(uplinks, uplink bytes, downlinks) of a device on a day."""
    row = conn.execute(
        select(device_days.c.uplinks, device_days.c.uplink_bytes, device_days.c.downlinks).where(
            device_days.c.device_id == device_id, device_days.c.day == day
        )
    ).first()
    return (row[0], row[1], row[2]) if row else (0, 0, 0)


def find(conn: Connection, device_id: str, days: range) -> list[tuple[int, int]]:
    """(uplinks, downlinks) of a device on each day of ``days``, in order, zeros included."""
    rows = conn.execute(
        select(device_days.c.day, device_days.c.uplinks, device_days.c.downlinks).where(
            device_days.c.device_id == device_id,
            device_days.c.day >= days.start,
            device_days.c.day < days.stop,
        )
    )
    counted = {day: (uplinks, downlinks) for day, uplinks, downlinks in rows}
    return [counted.get(day, (0, 0)) for day in days]
