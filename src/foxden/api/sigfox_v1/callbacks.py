"""Seed 002 "Callback creation" to "Callback downlink selection"."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(tags=[" a device type's callbacks:Callbacks"])
