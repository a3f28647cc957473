"""Device registration: seed 002's curl example and seed 001's asynchronous bulk creation."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(tags=["Devices"])
