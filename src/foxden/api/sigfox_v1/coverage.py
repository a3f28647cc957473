"""Seed 002 "Coverage API"."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(tags=[" base station redundancy at a point:Coverage"])
