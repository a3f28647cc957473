"""Seed 002 "Devices API"."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(
    tags=[" device lists, information, token state, network state, metrics, consumptions:Devices"]
)
