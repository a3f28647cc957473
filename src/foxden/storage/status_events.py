"""Status events of device types, and the devices each concerns.

Both lists read newest first through an index that ends in (time, id): a device type's events of
one severity through ``status_events``, a device's through ``status_event_devices``, which
repeats the severity and time of its event for that purpose.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable, Sequence

from sqlalchemy import Connection, RowMapping, Select, bindparam, insert, select

from foxden.domain.callbacks import ERROR_KIND, event_name
from foxden.domain.status_events import Severity, StatusEvent, concerned_devices
from foxden.storage import callbacks, outbox
from foxden.storage.tables import status_event_devices, status_events

# Later than any time stored: the open end of a window without ``before``.
_END = 2**62

_INSERT = insert(status_events).returning(status_events.c.id)
_INSERT_DEVICE = insert(status_event_devices)


def _page(query: Select[tuple[object, ...]]) -> Select[tuple[object, ...]]:
    return query.limit(bindparam("limit")).offset(bindparam("offset"))


_OF_DEVICE_TYPE = _page(
    select(status_events)
    .where(
        status_events.c.device_type_id == bindparam("owner"),
        status_events.c.severity == bindparam("severity"),
        status_events.c.time >= bindparam("since"),
        status_events.c.time < bindparam("before"),
    )
    .order_by(status_events.c.time.desc(), status_events.c.id.desc())
)
_OF_DEVICE = _page(
    select(status_events)
    .join(status_event_devices, status_event_devices.c.event_id == status_events.c.id)
    .where(
        status_event_devices.c.device_id == bindparam("owner"),
        status_event_devices.c.severity == bindparam("severity"),
        status_event_devices.c.time >= bindparam("since"),
        status_event_devices.c.time < bindparam("before"),
    )
    .order_by(status_event_devices.c.time.desc(), status_event_devices.c.event_id.desc())
)
_DEVICES = (
    select(status_event_devices.c.event_id, status_event_devices.c.device_id)
    .where(status_event_devices.c.event_id.in_(bindparam("event_ids", expanding=True)))
    .order_by(status_event_devices.c.event_id, status_event_devices.c.device_id)
)


def create(
    conn: Connection,
    device_type_id: str,
    severity: Severity,
    time: int,
    message: str,
    device_ids: Iterable[str],
) -> int:
    """Store an event (``time`` in Unix ms) concerning ``device_ids``; return its id."""
    concerned = concerned_devices(severity, device_ids)
    event_id = int(
        conn.execute(
            _INSERT,
            {
                "device_type_id": device_type_id,
                "severity": severity.value,
                "time": time,
                "message": message,
            },
        ).scalar_one()
    )
    conn.execute(
        _INSERT_DEVICE,
        [
            {"event_id": event_id, "device_id": device_id, "severity": severity.value, "time": time}
            for device_id in concerned
        ],
    )
    return event_id


def raise_event(
    conn: Connection,
    device_type_id: str,
    severity: Severity,
    time: int,
    message: str,
    device_ids: Iterable[str],
    now: int,
) -> int:
    """Store an event and queue its device type's enabled ERROR callbacks, one delivery per
    device it concerns; its id."""
    concerned = concerned_devices(severity, device_ids)
    event_id = create(conn, device_type_id, severity, time, message, concerned)
    fired = callbacks.find_enabled(conn, device_type_id, [ERROR_KIND])
    outbox.enqueue(
        conn,
        [
            outbox.Entry(
                None,
                event_name(*ERROR_KIND),
                cb.id,
                status_event_id=event_id,
                device_id=device_id,
            )
            for cb in fired
            for device_id in concerned
        ],
        now,
    )
    return event_id


def by_ids(conn: Connection, event_ids: Collection[int]) -> dict[int, StatusEvent]:
    """The events with these ids that exist, with the devices each concerns, by id."""
    if not event_ids:
        return {}
    rows = (
        conn.execute(select(status_events).where(status_events.c.id.in_(list(event_ids))))
        .mappings()
        .all()
    )
    concerned = _devices(conn, [row["id"] for row in rows])
    return {row["id"]: _to_event(row, concerned[row["id"]]) for row in rows}


def of_device_type(
    conn: Connection,
    device_type_id: str,
    severity: Severity,
    *,
    since: int | None,
    before: int | None,
    limit: int,
    offset: int = 0,
) -> list[StatusEvent]:
    """A page of a device type's events of one severity, newest first, in [since, before)."""
    return _find(conn, _OF_DEVICE_TYPE, device_type_id, severity, since, before, limit, offset)


def of_device(
    conn: Connection,
    device_id: str,
    severity: Severity,
    *,
    since: int | None,
    before: int | None,
    limit: int,
    offset: int = 0,
) -> list[StatusEvent]:
    """A page of the events of one severity concerning a device, newest first."""
    return _find(conn, _OF_DEVICE, device_id, severity, since, before, limit, offset)


def _find(
    conn: Connection,
    query: Select[tuple[object, ...]],
    owner: str,
    severity: Severity,
    since: int | None,
    before: int | None,
    limit: int,
    offset: int,
) -> list[StatusEvent]:
    rows = (
        conn.execute(
            query,
            {
                "owner": owner,
                "severity": severity.value,
                "since": 0 if since is None else since,
                "before": _END if before is None else before,
                "limit": limit,
                "offset": offset,
            },
        )
        .mappings()
        .all()
    )
    concerned = _devices(conn, [row["id"] for row in rows])
    return [_to_event(row, concerned[row["id"]]) for row in rows]


def _devices(conn: Connection, event_ids: Sequence[int]) -> dict[int, tuple[str, ...]]:
    found: dict[int, list[str]] = defaultdict(list)
    if event_ids:
        for event_id, device_id in conn.execute(_DEVICES, {"event_ids": list(event_ids)}):
            found[event_id].append(device_id)
    return {event_id: tuple(found[event_id]) for event_id in event_ids}


def _to_event(row: RowMapping, device_ids: tuple[str, ...]) -> StatusEvent:
    return StatusEvent(
        id=row["id"],
        device_type_id=row["device_type_id"],
        severity=Severity(row["severity"]),
        time=row["time"],
        message=row["message"],
        device_ids=device_ids,
    )
