"""Seed 002 "User API"."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(tags=[" the users with a role in a group:Users"])
