"""The demo fleet loaded into an empty database, so a newcomer sees a live fleet at once.

Each product's devices are also in a Soracom group of the demo operator with Harvest Data on,
tagged with their names, so that the Soracom API shows them and their data at once.

Its credentials are fixed and printed at every start: they are for a laptop, not for a server
reachable by others (``foxden serve --no-demo``, or ``FOXDEN_DEMO=false``, turns the demo off).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection

from foxden.domain import credentials
from foxden.domain.clock import now_ms
from foxden.domain.config_groups import Namespace
from foxden.domain.device_types import PayloadType
from foxden.domain.devices import Token, TokenType
from foxden.storage import (
    api_users,
    config_groups,
    device_tags,
    device_types,
    devices,
    groups,
    operators,
    stations,
)
from foxden.storage.db import Database

# Public on purpose: the demo's credentials are printed at every start.
API_LOGIN = "00000000000000000000de30"
API_PASSWORD = "demo-password"  # noqa: S105
OPERATOR_EMAIL = "demo@foxden.invalid"
OPERATOR_PASSWORD = "demo-password"  # noqa: S105
AUTH_KEY_SECRET = "secret-demo"  # noqa: S105


@dataclass(frozen=True, slots=True)
class Product:
    """A demo product: its group, device type and devices."""

    group: str
    name: str
    payload_config: str
    id_prefix: int
    devices: int


@dataclass(frozen=True, slots=True)
class DemoStation:
    """A demo base station, with the token the simulator posts with."""

    id: str
    name: str
    lat: float
    lng: float
    token: str


PRODUCTS = (
    Product(
        "Water utility", "Water meter", "volume::uint:32 battery::uint:8 leak::bool:7", 0x1D000, 25
    ),
    Product(
        "Cold chain",
        "Temperature tracker",
        "temperature::int:16 humidity::uint:8 door::bool:7",
        0x2E000,
        25,
    ),
)

STATIONS = (
    DemoStation("0A01", "Toulouse Capitole", 43.6045, 1.4440, "demo-station-0A01"),
    DemoStation("0A02", "Labege Innopole", 43.5460, 1.5120, "demo-station-0A02"),
    DemoStation("0A03", "Blagnac", 43.6370, 1.3900, "demo-station-0A03"),
)


@dataclass(frozen=True, slots=True)
class DemoFleet:
    """What the banner prints: the demo root group and its credentials."""

    group_id: str
    api_login: str
    api_password: str
    operator_id: str
    auth_key_id: str
    auth_key: str
    operator_email: str
    operator_password: str


async def ensure(db: Database) -> DemoFleet | None:
    """Load the demo fleet if the database is empty; return it if the database holds it."""
    if await db.read(_is_empty):
        password_hash = credentials.hash_password(API_PASSWORD)
        key_hash = credentials.hash_password(AUTH_KEY_SECRET)
        return await db.write(_load, password_hash, key_hash)
    return await db.read(_find)


def _is_empty(conn: Connection) -> bool:
    return groups.count(conn) == 0


def _find(conn: Connection) -> DemoFleet | None:
    user = api_users.get(conn, API_LOGIN)
    if user is None:
        return None
    operator = operators.find_by_email(conn, OPERATOR_EMAIL)
    if operator is None:
        return None
    key_id = operators.auth_key_ids(conn, operator.id)[0]
    return _fleet(user.group_id, operator.id, key_id)


def _fleet(group_id: str, operator_id: str, key_id: str) -> DemoFleet:
    return DemoFleet(
        group_id=group_id,
        api_login=API_LOGIN,
        api_password=API_PASSWORD,
        operator_id=operator_id,
        auth_key_id=key_id,
        auth_key=AUTH_KEY_SECRET,
        operator_email=OPERATOR_EMAIL,
        operator_password=OPERATOR_PASSWORD,
    )


def _load(conn: Connection, password_hash: str, key_hash: str) -> DemoFleet:
    root = groups.create(conn, "Demo", description="The demo fleet")
    api_users.create(conn, root.id, password_hash, name="demo", login=API_LOGIN)
    operator = operators.create(conn, root.id, email=OPERATOR_EMAIL, password_hash=password_hash)
    key_id = operators.add_auth_key(conn, operator.id, key_hash)
    now = now_ms()
    for product in PRODUCTS:
        group = groups.create(conn, product.group, parent_id=root.id)
        harvesting = config_groups.create(
            conn,
            operator.id,
            {"name": product.group},
            {Namespace.HARVEST.value: {"enabled": True}},
        )
        device_type = device_types.create(
            conn,
            group.id,
            product.name,
            description=f"Demo {product.name.lower()}s",
            keep_alive=120,
            payload_type=PayloadType.CUSTOM,
            payload_config=product.payload_config,
        )
        for n in range(product.devices):
            device_id = f"{product.id_prefix + n:X}"
            device = devices.create(
                conn,
                device_id,
                device_type.id,
                f"{product.id_prefix + n:016X}",
                name=f"{product.name} {n + 1:02d}",
                token=Token(TokenType.CONTRACT, None, now, end=now + 365 * 86_400_000),
            )
            devices.update_state(conn, device_id, soracom_group_id=harvesting.id)
            device_tags.put(conn, device_id, {"name": device.name})
    for station in STATIONS:
        stations.create(
            conn,
            station.name,
            credentials.digest(station.token),
            station_id=station.id,
            lat=station.lat,
            lng=station.lng,
        )
    return _fleet(root.id, operator.id, key_id)
