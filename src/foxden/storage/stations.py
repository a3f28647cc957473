"""Base stations and the digests of their tokens."""

from __future__ import annotations

from sqlalchemy import Connection, RowMapping, bindparam, insert, or_, select, update

from foxden.domain.clock import now_ms
from foxden.domain.coverage import Position
from foxden.domain.errors import Conflict
from foxden.domain.ids import new_station_id
from foxden.domain.stations import Station
from foxden.storage.tables import stations


def create(
    conn: Connection,
    name: str,
    token_digest: str,
    *,
    station_id: str | None = None,
    lat: float | None = None,
    lng: float | None = None,
) -> Station:
    """Create a base station; without ``station_id``, pick a free random one."""
    if station_id is None:
        taken = set(conn.execute(select(stations.c.id)).scalars())
        if len(taken) >= 0x10000:
            raise Conflict("every station id is taken")
        station_id = new_station_id()
        while station_id in taken:
            station_id = new_station_id()
    elif get(conn, station_id) is not None:
        raise Conflict(f"station {station_id} exists already")
    station = Station(station_id, name, lat, lng, token_digest, now_ms())
    conn.execute(
        insert(stations).values(
            id=station.id,
            name=name,
            lat=lat,
            lng=lng,
            token_digest=token_digest,
            created_at=station.created_at,
        )
    )
    return station


def get(conn: Connection, station_id: str) -> Station | None:
    """The station with this id, or None."""
    row = conn.execute(select(stations).where(stations.c.id == station_id)).mappings().first()
    return _to_station(row) if row else None


_BY_TOKEN = select(stations).where(stations.c.token_digest == bindparam("digest"))


def heard(conn: Connection, station_id: str, time: int) -> None:
    """Note that the station reported a frame at ``time`` (Unix ms): it is up."""
    conn.execute(
        update(stations)
        .where(
            stations.c.id == station_id,
            or_(stations.c.last_heard_at.is_(None), stations.c.last_heard_at < time),
        )
        .values(last_heard_at=time, down_since=None)
    )


def declare_down(conn: Connection, now: int, silence_ms: int) -> list[tuple[str, int]]:
    """The stations heard at least once but not in the ``silence_ms`` before ``now``, and not
    down yet, now marked down since the end of that silence: (station id, down since), by id.
    The update re-checks each row, so a station heard meanwhile (another writer) stays up."""
    rows = conn.execute(
        update(stations)
        .where(stations.c.last_heard_at < now - silence_ms, stations.c.down_since.is_(None))
        .values(down_since=stations.c.last_heard_at + silence_ms)
        .returning(stations.c.id, stations.c.down_since)
    ).all()
    return sorted((row.id, row.down_since) for row in rows)


def find_by_token(conn: Connection, token_digest: str) -> Station | None:
    """The station whose token has this digest, or None (once per uplink: prebuilt)."""
    row = conn.execute(_BY_TOKEN, {"digest": token_digest}).mappings().first()
    return _to_station(row) if row else None


def find(conn: Connection) -> list[Station]:
    """Every station, by id."""
    rows = conn.execute(select(stations).order_by(stations.c.id)).mappings()
    return [_to_station(row) for row in rows]


_POSITIONS = select(stations.c.lat, stations.c.lng).where(
    stations.c.lat.between(bindparam("south"), bindparam("north")), stations.c.lng.is_not(None)
)


def positions(conn: Connection, south: float, north: float) -> list[Position]:
    """The positions of the stations between two latitudes; stations without one are left out."""
    rows = conn.execute(_POSITIONS, {"south": south, "north": north})
    return [Position(lat, lng) for lat, lng in rows]


def _to_station(row: RowMapping) -> Station:
    return Station(
        id=row["id"],
        name=row["name"],
        lat=row["lat"],
        lng=row["lng"],
        token_digest=row["token_digest"],
        created_at=row["created_at"],
    )
