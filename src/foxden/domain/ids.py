"""Identifiers in the formats the Sigfox and Soracom APIs use, and their validation.

Sigfox objects (groups, device types, callbacks, API users) carry 24-hex-digit ids whose first
four bytes are the creation time in seconds, so ids sort by age and serve as paging keys.
Devices carry the hex id printed on the radio (1 to 8 hex digits), base stations a 4-hex-digit id,
and Soracom operators an ``OP`` id.
"""

from __future__ import annotations

import itertools
import re
import secrets
import time
import uuid

from foxden.domain.errors import InvalidInput

_OBJECT_ID = re.compile(r"[0-9a-f]{24}")
_DEVICE_ID = re.compile(r"[0-9A-F]{1,8}")
_PAC = re.compile(r"[0-9A-F]{16}")
_STATION_ID = re.compile(r"[0-9A-F]{4}")


# Like a MongoDB ObjectId: ids made by one process grow strictly, even within one second.
_PROCESS = secrets.token_hex(5)
_COUNTER = itertools.count(secrets.randbelow(1 << 24))


def new_object_id(now: float | None = None) -> str:
    """A fresh 24-hex-digit id: Unix seconds (4 bytes), process (5 bytes), counter (3 bytes)."""
    seconds = int(time.time() if now is None else now)
    return f"{seconds:08x}{_PROCESS}{next(_COUNTER) & 0xFFFFFF:06x}"


def is_object_id(value: str) -> bool:
    """Whether ``value`` has the shape of a Sigfox object id."""
    return _OBJECT_ID.fullmatch(value) is not None


def device_id(value: str) -> str:
    """The canonical (upper-case) form of a device id, or InvalidInput."""
    canonical = value.strip().upper()
    if not _DEVICE_ID.fullmatch(canonical):
        raise InvalidInput(f"invalid device id {value!r}: expected 1 to 8 hex digits")
    return canonical


def pac(value: str) -> str:
    """The canonical form of a PAC (8 bytes as 16 hex digits), or InvalidInput."""
    canonical = value.strip().upper()
    if not _PAC.fullmatch(canonical):
        raise InvalidInput(f"invalid PAC {value!r}: expected 16 hex digits")
    return canonical


def new_pac() -> str:
    """A random PAC."""
    return secrets.token_hex(8).upper()


def station_id(value: str) -> str:
    """The canonical form of a base station id (4 hex digits), or InvalidInput."""
    canonical = value.strip().upper()
    if not _STATION_ID.fullmatch(canonical):
        raise InvalidInput(f"invalid station id {value!r}: expected 4 hex digits")
    return canonical


def new_station_id() -> str:
    """A random base station id."""
    return secrets.token_hex(2).upper()


def new_operator_id() -> str:
    """A Soracom operator id: ``OP`` and ten digits."""
    return "OP" + "".join(secrets.choice("0123456789") for _ in range(10))


def new_auth_key_id() -> str:
    """A Soracom auth key id."""
    return "keyId-" + secrets.token_hex(16)


def new_api_key() -> str:
    """A Soracom API key (sent back in ``X-Soracom-API-Key``)."""
    return "api-" + secrets.token_hex(16)


def new_config_group_id() -> str:
    """A fresh Soracom group id: a UUID, as Soracom's are."""
    return str(uuid.uuid4())
