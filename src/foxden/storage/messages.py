"""Messages and their receptions (one row per station that heard the frame).

Lists read a device's or a device type's messages newest first, ordered by ``(time, id)``
descending on the ``(device_id, time, id)`` and ``(device_type_id, time, id)`` indexes, so a
page is one index range scan wherever it starts.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    Column,
    Connection,
    RowMapping,
    Select,
    bindparam,
    insert,
    select,
    update,
)

from foxden.domain.coverage import Position
from foxden.domain.devices import LinkQuality
from foxden.domain.messages import ComputedLocation, Message, Reception
from foxden.domain.uplinks import FrameKind
from foxden.storage.tables import FIRST_BIGINT, LAST_BIGINT, messages, receptions, stations

# The statements of every uplink, built once: building one costs more than running it.
_INSERT = insert(messages).returning(messages.c.id)
_INSERT_RECEPTION = insert(receptions)
_FIND_FRAME = (
    select(messages)
    .where(
        messages.c.device_id == bindparam("device_id"),
        messages.c.seq_number == bindparam("seq_number"),
        messages.c.kind == bindparam("kind"),
        messages.c.time.between(bindparam("since"), bindparam("until")),
    )
    .order_by(messages.c.id.desc())
    .limit(1)
)
_RECEPTIONS = (
    select(
        receptions.c.station_id,
        receptions.c.rssi,
        receptions.c.snr,
        receptions.c.time,
        receptions.c.freq,
    )
    .where(receptions.c.message_id == bindparam("message_id"))
    .order_by(receptions.c.time, receptions.c.station_id)
)


def create(
    conn: Connection,
    *,
    device_id: str,
    device_type_id: str,
    time: int,
    seq_number: int,
    kind: FrameKind,
    data: str,
    ack: bool,
    reception: Reception,
    link_quality: LinkQuality | None,
    forwarded: bool,
    decoded: dict[str, Any] | None = None,
    decode_error: str | None = None,
    decode_warning: str | None = None,
    location: ComputedLocation | None = None,
    service: dict[str, Any] | None = None,
    harvested: bool = False,
) -> int:
    """Store a message with its first reception; return the message id."""
    message_id: int = conn.execute(
        _INSERT,
        dict(
            device_id=device_id,
            device_type_id=device_type_id,
            time=time,
            seq_number=seq_number,
            kind=kind.value,
            data=data,
            ack=ack,
            rssi=reception.rssi,
            snr=reception.snr,
            stations=1,
            link_quality=link_quality.value if link_quality else None,
            forwarded=forwarded,
            decoded=decoded,
            decode_error=decode_error,
            decode_warning=decode_warning,
            lat=location.lat if location else None,
            lng=location.lng if location else None,
            radius=location.radius if location else None,
            location_source=location.source if location else None,
            service=service,
            harvested=harvested,
            first_station=reception.station_id,
        ),
    ).scalar_one()
    _add_reception(conn, message_id, reception)
    return message_id


def set_downlink(
    conn: Connection, message_id: int, status: str, data: str | None, info: str | None = None
) -> None:
    """Record what became of the downlink a message asked for."""
    conn.execute(
        update(messages)
        .where(messages.c.id == message_id)
        .values(downlink_status=status, downlink_data=data, downlink_info=info)
    )


def last_downlink(conn: Connection, device_id: str) -> tuple[int, str] | None:
    """The device's last message that asked for a downlink, and what became of that downlink."""
    row = conn.execute(
        select(messages.c.id, messages.c.downlink_status)
        .where(messages.c.device_id == device_id, messages.c.downlink_status.is_not(None))
        .order_by(messages.c.time.desc(), messages.c.id.desc())
        .limit(1)
    ).first()
    return (row[0], row[1]) if row is not None else None


def find_frame(
    conn: Connection, device_id: str, seq_number: int, kind: FrameKind, time: int, window: int
) -> Message | None:
    """The message of this device and sequence number within ``window`` ms of ``time``."""
    row = (
        conn.execute(
            _FIND_FRAME,
            {
                "device_id": device_id,
                "seq_number": seq_number,
                "kind": kind.value,
                "since": time - window,
                "until": time + window,
            },
        )
        .mappings()
        .first()
    )
    return to_message(row, _receptions(conn, row["id"])) if row else None


def add_reception(
    conn: Connection, message: Message, reception: Reception, link_quality: LinkQuality | None
) -> bool:
    """Attach a later station's reception to a message; False if that station was known."""
    if any(known.station_id == reception.station_id for known in message.receptions):
        return False
    _add_reception(conn, message.id, reception)
    best_rssi = _best(message.rssi, reception.rssi)
    best_snr = _best(message.snr, reception.snr)
    conn.execute(
        update(messages)
        .where(messages.c.id == message.id)
        .values(
            stations=messages.c.stations + 1,
            rssi=best_rssi,
            snr=best_snr,
            link_quality=link_quality.value if link_quality else None,
        )
    )
    return True


def get(conn: Connection, message_id: int) -> Message | None:
    """The message with this id and its receptions, or None."""
    row = conn.execute(select(messages).where(messages.c.id == message_id)).mappings().first()
    return to_message(row, _receptions(conn, message_id)) if row else None


def by_ids(conn: Connection, message_ids: Sequence[int]) -> Listing:
    """The messages with these ids that exist, with their receptions and the positions of the
    stations that heard them."""
    if not message_ids:
        return Listing([], {}, False)
    rows = conn.execute(select(messages).where(messages.c.id.in_(message_ids))).mappings().all()
    return _listing(conn, rows, len(rows))


# The open ends of a time window, in Unix ms: every time a 64-bit column holds lies between
# them, ends included (times stored before frames' times were bounded may lie at either end).
_EARLIEST = FIRST_BIGINT
_LATEST = LAST_BIGINT


def _newest_first(owner: Column[Any], *columns: Any) -> Select[Any]:
    """The data frames of one device or device type in ``[since, before)``, newest first."""
    return (
        select(*columns)
        .where(
            owner == bindparam("owner"),
            messages.c.time >= bindparam("since"),
            messages.c.time <= bindparam("last"),
            messages.c.kind == FrameKind.DATA.value,
        )
        .order_by(messages.c.time.desc(), messages.c.id.desc())
        .limit(bindparam("limit"))
        .offset(bindparam("offset"))
    )


# Public so that the benchmark times the very statements the API runs.
BY_DEVICE = _newest_first(messages.c.device_id, messages)
BY_DEVICE_TYPE = _newest_first(messages.c.device_type_id, messages)
_HEARD = (
    select(
        receptions.c.message_id,
        receptions.c.station_id,
        receptions.c.rssi,
        receptions.c.snr,
        receptions.c.time,
        receptions.c.freq,
        stations.c.lat,
        stations.c.lng,
    )
    .select_from(receptions.outerjoin(stations, stations.c.id == receptions.c.station_id))
    .where(receptions.c.message_id.in_(bindparam("ids", expanding=True)))
    .order_by(receptions.c.time, receptions.c.station_id)
)


@dataclass(frozen=True, slots=True)
class Listing:
    """A page of messages with the positions of the stations that heard them (a station
    foxden does not run, or one without a position, has none); ``more`` if others follow."""

    messages: list[Message]
    stations: dict[str, Position]
    more: bool


def page_params(
    owner: str, *, since: int | None, before: int | None, limit: int, offset: int
) -> dict[str, Any]:
    """The parameters of ``BY_DEVICE`` and ``BY_DEVICE_TYPE`` for a page of ``limit`` items
    (one more is fetched, to tell whether others follow); times in ms."""
    return {
        "owner": owner,
        "since": _EARLIEST if since is None else since,
        "last": _LATEST if before is None else before - 1,
        "limit": limit + 1,
        "offset": offset,
    }


def of_device(
    conn: Connection,
    device_id: str,
    *,
    since: int | None,
    before: int | None,
    limit: int,
    offset: int,
) -> Listing:
    """The device's data messages sent in ``[since, before)`` ms, newest first: ``limit`` of
    them after the first ``offset``."""
    params = page_params(device_id, since=since, before=before, limit=limit, offset=offset)
    return _listing(conn, conn.execute(BY_DEVICE, params).mappings().all(), limit)


def of_device_type(
    conn: Connection,
    device_type_id: str,
    *,
    since: int | None,
    before: int | None,
    limit: int,
    offset: int,
) -> Listing:
    """As ``of_device``, for the messages sent under a device type, including those of devices
    that have since moved to another type."""
    params = page_params(device_type_id, since=since, before=before, limit=limit, offset=offset)
    return _listing(conn, conn.execute(BY_DEVICE_TYPE, params).mappings().all(), limit)


def _listing(conn: Connection, rows: Sequence[RowMapping], limit: int) -> Listing:
    shown = rows[:limit]
    held: dict[int, list[Reception]] = defaultdict(list)
    positions: dict[str, Position] = {}
    if shown:
        heard = conn.execute(_HEARD, {"ids": [row["id"] for row in shown]})
        for message_id, station_id, rssi, snr, time, freq, lat, lng in heard:
            held[message_id].append(Reception(station_id, rssi, snr, time, freq))
            if lat is not None and lng is not None:
                positions[station_id] = Position(lat, lng)
    return Listing(
        [to_message(row, tuple(held[row["id"]])) for row in shown],
        positions,
        len(rows) > limit,
    )


def _best(current: float | None, candidate: float | None) -> float | None:
    if current is None:
        return candidate
    if candidate is None:
        return current
    return max(current, candidate)


def _add_reception(conn: Connection, message_id: int, reception: Reception) -> None:
    conn.execute(
        _INSERT_RECEPTION,
        dict(
            message_id=message_id,
            station_id=reception.station_id,
            rssi=reception.rssi,
            snr=reception.snr,
            freq=reception.freq,
            time=reception.time,
        ),
    )


def _receptions(conn: Connection, message_id: int) -> tuple[Reception, ...]:
    rows = conn.execute(_RECEPTIONS, {"message_id": message_id})
    return tuple(Reception(*row) for row in rows)


def _location(row: RowMapping) -> ComputedLocation | None:
    if row["lat"] is None or row["lng"] is None:
        return None
    return ComputedLocation(row["lat"], row["lng"], row["radius"] or 0, row["location_source"] or 0)


# Enum lookups by value without the cost of calling the enum: lists convert hundreds of rows.
_KINDS = {kind.value: kind for kind in FrameKind}
_QUALITIES = {quality.value: quality for quality in LinkQuality}


def to_message(row: RowMapping, held: tuple[Reception, ...]) -> Message:
    return Message(
        id=row["id"],
        device_id=row["device_id"],
        device_type_id=row["device_type_id"],
        time=row["time"],
        seq_number=row["seq_number"],
        kind=_KINDS[row["kind"]],
        data=row["data"],
        ack=row["ack"],
        rssi=row["rssi"],
        snr=row["snr"],
        link_quality=_QUALITIES.get(row["link_quality"]),
        forwarded=row["forwarded"],
        receptions=held,
        decoded=row["decoded"],
        decode_error=row["decode_error"],
        decode_warning=row["decode_warning"],
        location=_location(row),
        service=row["service"],
        downlink_status=row["downlink_status"],
        downlink_data=row["downlink_data"],
        downlink_info=row["downlink_info"],
        first_station=row["first_station"],
    )
