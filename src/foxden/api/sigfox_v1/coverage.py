"""Seed 002 "Coverage API": base station redundancy at a point.

Stations belong to the network, which every tenant shares, so any API user may ask.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, Field

from foxden.api.deps import Db
from foxden.api.sigfox_v1.auth import principal
from foxden.domain import coverage
from foxden.storage import stations

router = APIRouter(tags=["Coverage"])


class Redundancy(BaseModel):
    """The base station redundancy at a point."""

    redundancy: int = Field(
        ge=0,
        le=coverage.MAX_REDUNDANCY,
        description="0 = none, 1 = 1 base station, 2 = 2 base stations, 3 = 3 or more.",
    )


@router.get(
    "/coverages/redundancy",
    response_model=Redundancy,
    summary="Redundancy",
    dependencies=[Depends(principal)],
)
async def get_redundancy(
    db: Db,
    lat: Annotated[float, Query(ge=-90, le=90, description="The latitude, in degrees.")],
    lng: Annotated[float, Query(ge=-180, le=180, description="The longitude, in degrees.")],
    mode: Annotated[
        coverage.Mode, Query(description="The coverage mode (default INDOOR).")
    ] = coverage.Mode.INDOOR,
) -> Redundancy:
    """Get base station redundancy for a given latitude and longitude."""
    point = coverage.Position(lat, lng)
    south, north = coverage.latitude_band(point, mode)
    near = await db.read(stations.positions, south, north)
    return Redundancy(redundancy=coverage.redundancy(point, near, mode))
