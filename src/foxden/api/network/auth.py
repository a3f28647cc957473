"""Base stations authenticate with their own token: ``Authorization: Bearer <token>``."""

from __future__ import annotations

import time
from typing import Annotated

from fastapi import Depends
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from foxden.api.deps import RuntimeDep
from foxden.domain import credentials
from foxden.domain.errors import Unauthenticated
from foxden.domain.stations import Station
from foxden.storage import stations

_bearer = HTTPBearer(auto_error=False, description="The base station's token.")


# How long a station found by its token is trusted without asking the database again: a
# station removed from the database keeps posting for at most this long.
TRUST_SECONDS = 60.0


async def station(
    runtime: RuntimeDep, given: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]
) -> Station:
    """The station whose token the request carries, or 401."""
    if given is None:
        raise Unauthenticated("A station token is required (Authorization: Bearer <token>).")
    digest = credentials.digest(given.credentials)
    known = runtime.stations.get(digest)
    if known is not None and known[1] > time.monotonic():
        return known[0]
    found = await runtime.db.read(stations.find_by_token, digest)
    if found is None:
        raise Unauthenticated("Unknown station token.")
    runtime.stations[digest] = (found, time.monotonic() + TRUST_SECONDS)
    return found


StationDep = Annotated[Station, Depends(station)]
