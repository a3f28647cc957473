"""Seed 002 message lists (per device type, per device) and a device's locations."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(tags=["Messages"])
