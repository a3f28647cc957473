"""Seed 002 "Messages not sent this month"."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(tags=[" the failed-callback log:Callbacks"])
