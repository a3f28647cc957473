"""Seed 002 "Coverage API": base station redundancy at a point; and the link margins Sigfox's
global coverage predictions answer, which v1 clients call under the same base URL.

Stations belong to the network, which every tenant shares, so any API user may ask.
"""

from __future__ import annotations

import math
from typing import Annotated

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, Field

from foxden.api.deps import Db
from foxden.api.sigfox_v1.auth import principal
from foxden.domain import coverage
from foxden.storage import stations

router = APIRouter(tags=["Coverage"])

Latitude = Annotated[float, Query(ge=-90, le=90, description="The latitude, in degrees.")]
Longitude = Annotated[float, Query(ge=-180, le=180, description="The longitude, in degrees.")]
ModeQuery = Annotated[coverage.Mode, Query(description="The coverage mode (default INDOOR).")]


class Redundancy(BaseModel):
    """The base station redundancy at a point."""

    redundancy: int = Field(
        ge=0,
        le=coverage.MAX_REDUNDANCY,
        description="0 = none, 1 = 1 base station, 2 = 2 base stations, 3 = 3 or more.",
    )


class Predictions(BaseModel):
    """The link margins at a point, one per redundancy level."""

    margins: list[int] = Field(
        min_length=coverage.MAX_REDUNDANCY,
        max_length=coverage.MAX_REDUNDANCY,
        description="The link margins to the best, second and third station that hear the "
        "point, in whole dB rounded down; 0 where fewer stations hear it.",
    )


async def _near(
    db: Db, lat: float, lng: float, mode: coverage.Mode
) -> tuple[coverage.Position, list[coverage.Position]]:
    """The point, and the positions of the stations that might hear a device there."""
    point = coverage.Position(lat, lng)
    south, north = coverage.latitude_band(point, mode)
    return point, await db.read(stations.positions, south, north)


@router.get(
    "/coverages/redundancy",
    response_model=Redundancy,
    summary="Redundancy",
    dependencies=[Depends(principal)],
)
async def get_redundancy(
    db: Db, lat: Latitude, lng: Longitude, mode: ModeQuery = coverage.Mode.INDOOR
) -> Redundancy:
    """Get base station redundancy for a given latitude and longitude."""
    point, near = await _near(db, lat, lng, mode)
    return Redundancy(redundancy=coverage.redundancy(point, near, mode))


@router.get(
    "/coverages/global/predictions",
    response_model=Predictions,
    summary="Coverage predictions",
    dependencies=[Depends(principal)],
)
async def get_predictions(
    db: Db, lat: Latitude, lng: Longitude, mode: ModeQuery = coverage.Mode.INDOOR
) -> Predictions:
    """Get the link margins to the three stations that best hear a device at a latitude and
    longitude (not in seed 002: Sigfox's global coverage predictions)."""
    point, near = await _near(db, lat, lng, mode)
    heard = [math.floor(margin) for margin in coverage.margins(point, near, mode)]
    return Predictions(margins=heard + [0] * (coverage.MAX_REDUNDANCY - len(heard)))
