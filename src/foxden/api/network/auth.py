"""Base stations authenticate with their own token: ``Authorization: Bearer <token>``."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from foxden.api.deps import Db
from foxden.domain import credentials
from foxden.domain.errors import Unauthenticated
from foxden.domain.stations import Station
from foxden.storage import stations

_bearer = HTTPBearer(auto_error=False, description="The base station's token.")


async def station(
    db: Db, given: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]
) -> Station:
    """The station whose token the request carries, or 401."""
    if given is None:
        raise Unauthenticated("A station token is required (Authorization: Bearer <token>).")
    found = await db.read(stations.find_by_token, credentials.digest(given.credentials))
    if found is None:
        raise Unauthenticated("Unknown station token.")
    return found


StationDep = Annotated[Station, Depends(station)]
