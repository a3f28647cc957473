"""Seed 002 status events (ERROR and WARN) of a device type and of a device."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(tags=["Status events"])
