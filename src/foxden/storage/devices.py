"""Devices: the Sigfox and the Soracom view of a device are two readings of one row."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import (
    ColumnElement,
    Connection,
    Integer,
    RowMapping,
    ScalarSelect,
    and_,
    bindparam,
    case,
    exists,
    func,
    insert,
    null,
    or_,
    select,
    update,
)
from sqlalchemy import delete as delete_rows

from foxden.domain.clock import now_ms
from foxden.domain.device_types import DeviceType
from foxden.domain.devices import (
    Device,
    DeviceState,
    LinkQuality,
    SoracomStatus,
    Token,
    TokenType,
)
from foxden.domain.errors import Conflict
from foxden.domain.linkstats import WINDOW
from foxden.domain.tags import TagFilter
from foxden.domain.uplinks import FrameKind
from foxden.storage import device_tags
from foxden.storage.device_types import ids_within, to_device_type
from foxden.storage.tables import (
    LAST_BIGINT,
    config_groups,
    device_types,
    devices,
    group_tree,
    messages,
    receptions,
    stations,
)


def create(
    conn: Connection,
    device_id: str,
    device_type_id: str,
    pac: str,
    *,
    name: str | None = None,
    lat: float | None = None,
    lng: float | None = None,
    token: Token | None = None,
    soracom_status: SoracomStatus = SoracomStatus.READY,
) -> Device:
    """Register a device under a device type and return it: ``ready`` for the Soracom API
    unless it is put in stock (``instock``), to be registered there with its PAC."""
    if get(conn, device_id) is not None:
        raise Conflict(f"device {device_id} exists already")
    now = now_ms()
    device = Device(
        id=device_id,
        device_type_id=device_type_id,
        name=name if name is not None else f"Device {device_id}",
        pac=pac,
        created_at=now,
        modified_at=now,
        lat=lat,
        lng=lng,
        token=token,
        soracom_status=soracom_status,
    )
    conn.execute(
        insert(devices).values(
            id=device.id,
            device_type_id=device_type_id,
            name=device.name,
            pac=pac,
            state=int(device.state),
            lat=lat,
            lng=lng,
            token_type=token.type.value if token else None,
            contract_id=token.contract_id if token else None,
            activation_time=token.activation_time if token else None,
            token_end=token.end if token else None,
            free_messages=token.free_messages if token else None,
            prevent_renewal=token.prevent_renewal if token else False,
            soracom_status=device.soracom_status.value,
            termination_enabled=device.termination_enabled,
            sequence_epoch=0,
            link_window=[],
            created_at=now,
            modified_at=now,
        )
    )
    return device


def get(conn: Connection, device_id: str) -> Device | None:
    """The device with this id, or None."""
    row = conn.execute(select(devices).where(devices.c.id == device_id)).mappings().first()
    return _to_device(row) if row else None


# The two statements of every uplink, built once.
_FOR_INGEST = (
    select(
        devices,
        *[c.label(f"type_{c.name}") for c in device_types.c],
        config_groups.c.harvest.label("group_harvest"),
    )
    .join(device_types, device_types.c.id == devices.c.device_type_id)
    .outerjoin(config_groups, config_groups.c.id == devices.c.soracom_group_id)
    .where(devices.c.id == bindparam("device_id"))
    .with_for_update(of=devices)
)
_UPDATE = update(devices).where(devices.c.id == bindparam("device_id_"))


def for_ingest(conn: Connection, device_id: str) -> tuple[Device, DeviceType, bool] | None:
    """A device, its type and whether its Soracom group has Harvest on, in one statement, the
    device row locked until the transaction ends (PostgreSQL; SQLite's single writer
    serializes anyway), so one frame's receptions never race."""
    row = conn.execute(_FOR_INGEST, {"device_id": device_id}).mappings().first()
    if row is None:
        return None
    type_row = {c.name: row[f"type_{c.name}"] for c in device_types.c}
    return _to_device(row), to_device_type(type_row), bool(row["group_harvest"])


def update_state(conn: Connection, device_id: str, **values: object) -> None:
    """Set columns of a device, such as those the ingest keeps current."""
    conn.execute(_UPDATE, {"device_id_": device_id, **values})


def delete(conn: Connection, device_id: str) -> None:
    """Delete a device and, by cascade, everything stored of it: its messages, tags, queued
    downlinks and counts."""
    conn.execute(delete_rows(devices).where(devices.c.id == device_id))


def of_group(
    conn: Connection,
    group_id: str,
    *,
    after: str | None,
    limit: int,
    tag: TagFilter | None = None,
) -> list[Device]:
    """A page of the devices of ``group_id`` and the groups below it, by id after ``after``,
    those with the tag ``tag`` names only: the Soracom device list. A tag filter probes the
    tags' primary key per device; the page follows the devices' primary key."""
    query = select(devices).where(devices.c.device_type_id.in_(ids_within(group_id)))
    if after is not None:
        query = query.where(devices.c.id > after)
    if tag is not None:
        query = query.where(device_tags.has(tag))
    rows = conn.execute(query.order_by(devices.c.id).limit(limit)).mappings()
    return [_to_device(row) for row in rows]


@dataclass(frozen=True, slots=True)
class Lost:
    """A device declared lost: its keepAlive ran out at ``silence_at``, after its last message
    at ``last_seen_at`` (Unix ms)."""

    device_id: str
    device_type_id: str
    silence_at: int
    last_seen_at: int


# The silence monitor's look: an index range on ``silence_at``, earliest first. On PostgreSQL a
# device that an uplink is updating meanwhile is skipped (its row is locked) and left to the
# uplink, which moves its ``silence_at``; SQLite's single writer serializes the two anyway.
DUE = (
    select(devices.c.id, devices.c.device_type_id, devices.c.silence_at, devices.c.last_seen_at)
    .where(devices.c.silence_at <= bindparam("now"))
    .order_by(devices.c.silence_at)
    .limit(bindparam("limit", type_=Integer))
    .with_for_update(skip_locked=True)
)
_LOSE = (
    update(devices)
    .where(devices.c.id.in_(bindparam("ids", expanding=True)))
    .values(silent_since=devices.c.last_seen_at, silence_at=null())
)


def declare_lost(conn: Connection, now: int, limit: int) -> list[Lost]:
    """Up to ``limit`` devices whose ``silence_at`` has passed at ``now``, earliest first, now
    marked lost: ``silent_since`` set to their last message's time and ``silence_at`` cleared,
    so that each breach is declared once."""
    rows = conn.execute(DUE, {"now": now, "limit": limit}).all()
    if rows:
        conn.execute(_LOSE, {"ids": [row.id for row in rows]})
    return [Lost(row.id, row.device_type_id, row.silence_at, row.last_seen_at) for row in rows]


def rearm(conn: Connection, device_type_id: str, keep_alive: int) -> None:
    """Restart the silence watch of a device type's devices for its new keepAlive (minutes):
    due that long after the last message of each device heard and not lost, none for 0."""
    deadline = devices.c.last_seen_at + keep_alive * 60_000 if keep_alive else null()
    conn.execute(
        update(devices)
        .where(
            devices.c.device_type_id == device_type_id,
            devices.c.last_seen_at.is_not(None),
            devices.c.silent_since.is_(None),
            # A time stored before frames' times were bounded may leave no room for the
            # keepAlive: such a device keeps the watch it has.
            devices.c.last_seen_at <= LAST_BIGINT - keep_alive * 60_000,
        )
        .values(silence_at=deadline)
    )


LAST_HEARD_BY = (
    select(devices.c.device_type_id, devices.c.id)
    .join(
        receptions,
        (receptions.c.message_id == devices.c.last_message_id)
        & (receptions.c.station_id == bindparam("station_id")),
    )
    .order_by(devices.c.device_type_id, devices.c.id)
)


def last_heard_by(conn: Connection, station_id: str) -> dict[str, list[str]]:
    """The devices whose last message the station received, by device type: device type id ->
    device ids, sorted. One pass over the devices, each probing the receptions' primary key."""
    found: dict[str, list[str]] = defaultdict(list)
    for device_type_id, device_id in conn.execute(LAST_HEARD_BY, {"station_id": station_id}):
        found[device_type_id].append(device_id)
    return dict(found)


def count(conn: Connection, device_type_id: str) -> int:
    """How many devices a device type has."""
    return conn.execute(
        select(func.count()).select_from(devices).where(devices.c.device_type_id == device_type_id)
    ).scalar_one()


def _located_message(device_id: ColumnElement[str]) -> ScalarSelect[int]:
    """The id of the device's newest located message among its last 25 frames: a data frame
    with a position of its own (a GPS fix), or heard by a station whose position is known.

    Looking no further back than the link statistics' window bounds the cost for a device
    whose messages never carry a location: 25 index entries, not its whole history.
    """
    recent = messages.alias("recent")
    window_start = (
        select(recent.c.time)
        .where(recent.c.device_id == device_id)
        .order_by(recent.c.time.desc(), recent.c.id.desc())
        .limit(1)
        .offset(WINDOW - 1)
        .correlate_except(recent)
        .scalar_subquery()
    )
    located = messages.alias("located")
    placed_station = (
        exists()
        .where(
            receptions.c.message_id == located.c.id,
            stations.c.id == receptions.c.station_id,
            stations.c.lat.is_not(None),
            stations.c.lng.is_not(None),
        )
        .correlate(located)
    )
    return (
        select(located.c.id)
        .where(
            located.c.device_id == device_id,
            located.c.kind == FrameKind.DATA.value,
            or_(and_(located.c.lat.is_not(None), located.c.lng.is_not(None)), placed_station),
            located.c.time >= func.coalesce(window_start, 0),
        )
        .order_by(located.c.time.desc(), located.c.id.desc())
        .limit(1)
        .correlate_except(located)
        .scalar_subquery()
    )


_LOCATED_MESSAGE = select(_located_message(bindparam("device_id")))
_OF_TYPE = (
    select(devices)
    .where(devices.c.device_type_id == bindparam("device_type_id"))
    .order_by(devices.c.id)
    .limit(bindparam("limit", type_=Integer))
    .offset(bindparam("offset", type_=Integer))
)


def find(
    conn: Connection,
    device_type_id: str,
    *,
    snr: tuple[float, float | None] | None = None,
    limit: int,
    offset: int,
) -> list[tuple[Device, int | None]]:
    """A page of a device type's devices by id, each with the id of its newest located
    message among its last 25 (see ``located_message``); ``snr`` keeps those whose average
    SNR is in [low, high) (high None: no upper bound).

    The page is cut before located messages are looked up: the cost follows the page size,
    never the device type's size.
    """
    query = _OF_TYPE
    if snr is not None:
        low, high = snr
        query = query.where(devices.c.average_snr >= low)
        if high is not None:
            query = query.where(devices.c.average_snr < high)
    page = query.subquery("page")
    with_located = select(page, _located_message(page.c.id).label("located_id")).order_by(page.c.id)
    params = {"device_type_id": device_type_id, "limit": limit, "offset": offset}
    rows = conn.execute(with_located, params).mappings().all()
    return [(_to_device(row), row["located_id"]) for row in rows]


def located_message(conn: Connection, device_id: str) -> int | None:
    """The id of the device's newest message among its last 25 that has a position of its own
    or was heard by a station with one; None if none has."""
    located: int | None = conn.execute(_LOCATED_MESSAGE, {"device_id": device_id}).scalar()
    return located


def count_messages(conn: Connection, device_id: str, since: Sequence[int]) -> list[int]:
    """How many messages the device sent at or after each time of ``since`` (Unix ms), all
    counted in one range scan of the (device_id, time) index from the earliest."""
    query = select(*[func.count(case((messages.c.time >= time, 1))) for time in since]).where(
        messages.c.device_id == device_id, messages.c.time >= min(since)
    )
    return list(conn.execute(query).one())


def _to_device(row: RowMapping) -> Device:
    token = None
    if row["token_type"] is not None:
        token = Token(
            type=TokenType(row["token_type"]),
            contract_id=row["contract_id"],
            activation_time=row["activation_time"],
            end=row["token_end"],
            free_messages=row["free_messages"],
            prevent_renewal=row["prevent_renewal"],
        )
    return Device(
        id=row["id"],
        device_type_id=row["device_type_id"],
        name=row["name"],
        pac=row["pac"],
        created_at=row["created_at"],
        modified_at=row["modified_at"],
        state=DeviceState(row["state"]),
        lat=row["lat"],
        lng=row["lng"],
        token=token,
        last_seen_at=row["last_seen_at"],
        last_seq_number=row["last_seq_number"],
        sequence_epoch=row["sequence_epoch"],
        last_message_id=row["last_message_id"],
        last_rssi=row["last_rssi"],
        last_snr=row["last_snr"],
        link_window=tuple((s, r) for s, r in row["link_window"]),
        average_snr=row["average_snr"],
        average_rssi=row["average_rssi"],
        link_quality=LinkQuality(row["link_quality"]) if row["link_quality"] else None,
        soracom_status=SoracomStatus(row["soracom_status"]),
        soracom_group_id=row["soracom_group_id"],
        termination_enabled=row["termination_enabled"],
        silent_since=row["silent_since"],
        harvested_at=row["harvested_at"],
    )


def find_for_simulation(
    conn: Connection, group_id: str | None = None
) -> list[tuple[Device, DeviceType]]:
    """Every device with its type, by id; only those of ``group_id`` and below when given."""
    query = (
        select(devices, *[c.label(f"type_{c.name}") for c in device_types.c])
        .join(device_types, device_types.c.id == devices.c.device_type_id)
        .order_by(devices.c.id)
    )
    if group_id is not None:
        below = select(group_tree.c.descendant_id).where(group_tree.c.ancestor_id == group_id)
        query = query.where(device_types.c.group_id.in_(below))
    return [
        (_to_device(row), to_device_type({c.name: row[f"type_{c.name}"] for c in device_types.c}))
        for row in conn.execute(query).mappings()
    ]
