"""Messages and their receptions (one row per station that heard the frame)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, RowMapping, bindparam, insert, select, update

from foxden.domain.devices import LinkQuality
from foxden.domain.messages import ComputedLocation, Message, Reception
from foxden.domain.uplinks import FrameKind
from foxden.storage.tables import messages, receptions

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
    location: ComputedLocation | None = None,
    service: dict[str, Any] | None = None,
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
            lat=location.lat if location else None,
            lng=location.lng if location else None,
            radius=location.radius if location else None,
            location_source=location.source if location else None,
            service=service,
        ),
    ).scalar_one()
    _add_reception(conn, message_id, reception)
    return message_id


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
    return _to_message(row, _receptions(conn, row["id"])) if row else None


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
    return _to_message(row, _receptions(conn, message_id)) if row else None


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


def _to_message(row: RowMapping, held: tuple[Reception, ...]) -> Message:
    location = None
    if row["lat"] is not None and row["lng"] is not None:
        location = ComputedLocation(
            row["lat"], row["lng"], row["radius"] or 0, row["location_source"] or 0
        )
    return Message(
        id=row["id"],
        device_id=row["device_id"],
        device_type_id=row["device_type_id"],
        time=row["time"],
        seq_number=row["seq_number"],
        kind=FrameKind(row["kind"]),
        data=row["data"],
        ack=row["ack"],
        rssi=row["rssi"],
        snr=row["snr"],
        link_quality=LinkQuality(row["link_quality"]) if row["link_quality"] else None,
        forwarded=row["forwarded"],
        receptions=held,
        decoded=row["decoded"],
        decode_error=row["decode_error"],
        location=location,
        service=row["service"],
    )
