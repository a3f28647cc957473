"""``accept``: DESIGN's flow of one uplink, its steps in order, in one transaction.

1. find the device (locked on PostgreSQL) and, within scope, its type;
2. de-duplicate: a frame already stored within the window gets this station's reception
   attached (and the ``sendDuplicate`` callbacks their extra call), nothing more; a resend by
   the station that reported it first gets that first answer again, and changes nothing;
3. check the sequence number (``ingest.sequence``);
4. take or spend the token (``ingest.contract``);
5. decode the payload by the device type's payload type (errors are stored, never raised);
6. store the message (written to Harvest Data when the device's Soracom group has it on),
   update the device's state, link statistics and silence watch (a lost
   device heard again ends its silence with a status event), count the day's uplink, and queue
   one outbox row per enabled callback the frame fires (DATA_ADVANCED ones held back until
   every station has reported it);
7. for a frame with ``ack``, decide its downlink (``ingest.downlinks``); an ACKNOWLEDGE frame
   settles the one its device took.

``accept`` returns only once that transaction is committed: an answered uplink is never lost.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection

from foxden.config import Settings
from foxden.domain import codec, linkstats, uplinks
from foxden.domain.callbacks import AFTER_DEDUPLICATION, FIRED_BY, event_name
from foxden.domain.clock import now_ms
from foxden.domain.device_types import DeviceType
from foxden.domain.devices import Device, SoracomStatus
from foxden.domain.errors import InvalidPayloadConfig, NotFound, PayloadDecodeError
from foxden.domain.messages import Message, Reception
from foxden.domain.status_events import Severity, communication_restored
from foxden.domain.uplinks import FrameKind, Uplink
from foxden.ingest import contract, downlinks, sequence
from foxden.storage import (
    callbacks,
    device_days,
    devices,
    groups,
    messages,
    outbox,
    stations,
    status_events,
)
from foxden.storage.db import Database

_NOTHING = codec.Decoded({}, None)


@dataclass(frozen=True, slots=True)
class Accepted:
    """What became of an uplink."""

    message_id: int
    device_id: str
    duplicate: bool
    forwarded: bool
    deliveries: int
    decode_error: str | None = None
    # For a frame with ``ack``: its downlink, or the callback to ask for it (a resend: the
    # downlink its first answer carried, PENDING while that one may still be asking).
    downlink: downlinks.Answer | None = None
    # The fields a short frame cut short or left out.
    decode_warning: str | None = None


async def accept(
    db: Database,
    settings: Settings,
    uplink: Uplink,
    *,
    within_group: str | None = None,
    station_heard: bool = False,
) -> Accepted:
    """Store an uplink and what it calls for; ``within_group`` limits which devices it may name;
    ``station_heard`` notes the receiving station as up (its caller says how often)."""
    return await db.write_in(
        uplink.device_id, _accept, uplink, settings, within_group, station_heard
    )


def _accept(
    conn: Connection,
    uplink: Uplink,
    settings: Settings,
    within_group: str | None,
    station_heard: bool,
) -> Accepted:
    if station_heard:
        stations.heard(conn, uplink.station_id, uplink.time)
    found = devices.for_ingest(conn, uplink.device_id)
    if found is None or (
        within_group is not None and not groups.is_within(conn, found[1].group_id, within_group)
    ):
        raise NotFound(f"Device {uplink.device_id} not found.")
    device, device_type, group_harvests = found
    reception = Reception(uplink.station_id, uplink.rssi, uplink.snr, uplink.time, uplink.freq)
    # A frame ahead of the device's last one is new: only one that is not can be a duplicate.
    if device.last_seq_number is not None and not sequence.is_ahead(
        uplink.seq_number, device.last_seq_number
    ):
        earlier = messages.find_frame(
            conn, device.id, uplink.seq_number, uplink.kind, uplink.time, settings.dedup_window_ms
        )
        if earlier is not None and earlier.first_station == uplink.station_id:
            return _resent(earlier)
        if earlier is not None:
            return _attach(conn, device, earlier, reception)
    epoch = sequence.check(device, device_type, uplink.seq_number)
    now = now_ms()
    admission = contract.admit(device, now, settings.token_days)
    decoded, decode_error = _decode(device_type, uplink)
    fields = _storable(decoded.fields) or None
    service = uplink.service or None
    if uplink.kind is FrameKind.ACKNOWLEDGE:
        service = downlinks.settle(conn, uplink, uplink.service, now)
    quality = linkstats.link_quality(1, uplink.rssi)
    # A terminated device's frames are kept, as an off-contract one's, but go nowhere.
    forwarded = admission.forwarded and device.soracom_status is not SoracomStatus.TERMINATED
    harvested = forwarded and uplink.kind is FrameKind.DATA and group_harvests
    message_id = messages.create(
        conn,
        device_id=device.id,
        device_type_id=device_type.id,
        time=uplink.time,
        seq_number=uplink.seq_number,
        kind=uplink.kind,
        data=uplink.data.hex(),
        ack=uplink.ack,
        reception=reception,
        link_quality=quality,
        forwarded=forwarded,
        decoded=fields,
        decode_error=decode_error,
        decode_warning=decoded.warning,
        location=decoded.location,
        service=service,
        harvested=harvested,
    )
    window_pairs: Sequence[Sequence[float]] = device.link_window
    if uplink.rssi is not None and uplink.snr is not None:
        window_pairs = linkstats.push(window_pairs, uplink.snr, uplink.rssi)
    average_snr, average_rssi = linkstats.averages(window_pairs)
    token = admission.token
    last_seen = _latest(uplink.time, device.last_seen_at, now)
    if device.silent_since is not None:
        status_events.raise_event(
            conn,
            device_type.id,
            Severity.ERROR,
            uplink.time,
            communication_restored(uplink.time),
            [device.id],
            now,
        )
    devices.update_state(
        conn,
        device.id,
        last_seen_at=last_seen,
        last_seq_number=uplink.seq_number,
        sequence_epoch=epoch,
        last_message_id=message_id,
        last_rssi=uplink.rssi,
        last_snr=uplink.snr,
        link_window=[list(pair) for pair in window_pairs],
        average_snr=average_snr,
        average_rssi=average_rssi,
        link_quality=quality,
        state=int(admission.state),
        token_type=token.type.value,
        contract_id=token.contract_id,
        activation_time=token.activation_time,
        token_end=token.end,
        free_messages=token.free_messages,
        soracom_status=_soracom_status(device),
        silence_at=last_seen + device_type.keep_alive * 60_000 if device_type.keep_alive else None,
        silent_since=None,
        modified_at=now,
        harvested_at=_latest(uplink.time, device.harvested_at, now)
        if harvested
        else device.harvested_at,
    )
    device_days.count_uplink(conn, device.id, uplink.time, len(uplink.data))
    if not forwarded:
        return Accepted(
            message_id, device.id, False, False, 0, decode_error, decode_warning=decoded.warning
        )
    stored = Message(
        id=message_id,
        device_id=device.id,
        device_type_id=device_type.id,
        time=uplink.time,
        seq_number=uplink.seq_number,
        kind=uplink.kind,
        data=uplink.data.hex(),
        ack=uplink.ack,
        rssi=uplink.rssi,
        snr=uplink.snr,
        link_quality=quality,
        forwarded=True,
        receptions=(reception,),
        decoded=fields,
        decode_error=decode_error,
        decode_warning=decoded.warning,
        location=decoded.location,
        service=service,
    )
    queued, answer = _forward(conn, settings, stored, window_pairs, device_type, now)
    return Accepted(
        message_id, device.id, False, True, queued, decode_error, answer, decoded.warning
    )


def _forward(
    conn: Connection,
    settings: Settings,
    message: Message,
    link_window: Sequence[Sequence[float]],
    device_type: DeviceType,
    now: int,
) -> tuple[int, downlinks.Answer | None]:
    """Queue the deliveries a new forwarded frame fires and decide the downlink it asks for:
    how many rows fall due for the dispatcher, and the downlink."""
    fired = callbacks.find_enabled(conn, device_type.id, FIRED_BY[message.kind])
    answer = None
    if message.ack and message.kind is FrameKind.DATA:
        lease_ms = round((settings.downlink_timeout + settings.dispatch_lease_s) * 1000)
        answer = downlinks.decide(conn, message, link_window, device_type, fired, now, lease_ms)
    asked = answer.ask.callback.id if answer is not None and answer.ask is not None else None
    delay_ms = round(settings.data_advanced_delay_s * 1000)
    entries = [
        outbox.Entry(
            message.id,
            event_name(cb.callback_type, cb.callback_subtype),
            cb.id,
            delay_ms=delay_ms
            if (cb.callback_type, cb.callback_subtype) in AFTER_DEDUPLICATION
            else 0,
        )
        for cb in fired
        if cb.id != asked
    ]
    outbox.enqueue(conn, entries, now)
    return len(entries), answer


def _resent(earlier: Message) -> Accepted:
    """The first answer to a frame, for the station that reported it resending it (it lost that
    answer): read back from the message, so it holds across a restart."""
    return Accepted(
        earlier.id,
        earlier.device_id,
        False,
        earlier.forwarded,
        0,
        earlier.decode_error,
        downlinks.given(earlier),
        earlier.decode_warning,
    )


def _attach(conn: Connection, device: Device, earlier: Message, reception: Reception) -> Accepted:
    """A later station's reception of a stored frame: attach it, fire ``sendDuplicate``."""
    stations = len(earlier.receptions) + 1
    best_rssi = max((r for r in (earlier.rssi, reception.rssi) if r is not None), default=None)
    quality = linkstats.link_quality(stations, best_rssi)
    added = messages.add_reception(conn, earlier, reception, quality)
    entries: list[outbox.Entry] = []
    if (
        added
        and earlier.id == device.last_message_id
        and reception.rssi is not None
        and reception.snr is not None
    ):
        window = linkstats.improve_last(device.link_window, reception.snr, reception.rssi)
        average_snr, average_rssi = linkstats.averages(window)
        devices.update_state(
            conn,
            device.id,
            link_window=window,
            average_snr=average_snr,
            average_rssi=average_rssi,
            link_quality=quality,
        )
    if added and earlier.forwarded:
        fired = callbacks.find_enabled(conn, earlier.device_type_id, FIRED_BY[earlier.kind])
        entries = [
            outbox.Entry(
                earlier.id,
                event_name(cb.callback_type, cb.callback_subtype),
                cb.id,
                station_id=reception.station_id,
                duplicate=True,
            )
            for cb in fired
            if cb.send_duplicate
            and (cb.callback_type, cb.callback_subtype) not in AFTER_DEDUPLICATION
        ]
        outbox.enqueue(conn, entries, now_ms())
    return Accepted(earlier.id, device.id, True, earlier.forwarded, len(entries))


def _decode(device_type: DeviceType, uplink: Uplink) -> tuple[codec.Decoded, str | None]:
    """What a data frame decodes to, or why it does not; service frames are not decoded."""
    if uplink.kind is not FrameKind.DATA:
        return _NOTHING, None
    try:
        return codec.decode(device_type.payload_type, device_type.payload_config, uplink.data), None
    except (PayloadDecodeError, InvalidPayloadConfig) as exc:
        return _NOTHING, exc.message


def _storable(fields: dict[str, Any]) -> dict[str, Any]:
    """Fields as JSON can hold them: a non-finite float (NaN, ±inf) is kept as its name."""
    return {
        name: value if not isinstance(value, float) or math.isfinite(value) else str(value)
        for name, value in fields.items()
    }


def _latest(time: int, stored: int | None, now: int) -> int:
    """The later of a frame's time and a device's stored one; a stored time outside the
    plausible window (kept from before foxden had one) is no frame's, and the frame's wins."""
    if stored is None or not uplinks.plausible(stored, now):
        return time
    return max(time, stored)


def _soracom_status(device: Device) -> str:
    """A ready device becomes active with its first frame (seed 000 lifecycle)."""
    if device.soracom_status is SoracomStatus.READY:
        return SoracomStatus.ACTIVE.value
    return device.soracom_status.value
