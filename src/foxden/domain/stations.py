"""Base stations: the network side of an uplink, with a position for coverage and location."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Station:
    """A base station. ``token_digest`` authenticates its uplink posts."""

    id: str
    name: str
    lat: float | None
    lng: float | None
    token_digest: str
    created_at: int
