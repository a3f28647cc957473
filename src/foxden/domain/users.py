"""Users: people with a role in one or more groups (seed 002 ``userRoles``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from foxden.domain.clock import to_datetime


@dataclass(frozen=True, slots=True)
class Role:
    """A custom role, such as a read-only or a downlink operator role."""

    id: str
    name: str


@dataclass(frozen=True, slots=True)
class UserRole:
    """One role a user holds in one group."""

    group_id: str
    role: Role


@dataclass(frozen=True, slots=True)
class User:
    """A person. Times are Unix milliseconds."""

    id: str
    email: str
    first_name: str
    last_name: str
    timezone: str
    created_at: int
    last_login_at: int | None
    roles: tuple[UserRole, ...]


_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def java_date(time_ms: int, timezone: str) -> str:
    """``time_ms`` as Java's ``Date.toString`` prints it in ``timezone``, the seed's date style:
    ``Wed Feb 19 13:19:23 CET 2014``.

    English names whatever the server's locale; the zone's abbreviation at that instant, so
    the string names the instant even in the hour that repeats when clocks go back. A zone
    without an abbreviation (the tz database writes ``+0545``) is named ``GMT+05:45``, as Java
    names it; an unknown ``timezone`` is read as UTC.
    """
    zone = _zone(timezone)
    when = to_datetime(time_ms, zone)
    return (
        f"{_DAYS[when.weekday()]} {_MONTHS[when.month - 1]} {when.day:02d} "
        f"{when:%H:%M:%S} {_abbreviation(when)} {when.year:04d}"
    )


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ValueError, ZoneInfoNotFoundError):
        return ZoneInfo("UTC")


def _abbreviation(when: datetime) -> str:
    name = when.tzname() or ""
    if name[:1].isalpha():
        return name
    offset = when.utcoffset() or timedelta()
    sign = "-" if offset < timedelta() else "+"
    minutes = abs(offset) // timedelta(minutes=1)
    return f"GMT{sign}{minutes // 60:02d}:{minutes % 60:02d}"
