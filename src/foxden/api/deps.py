"""Annotated dependencies shared by every API: the runtime, its database and settings.

They are coroutines so that FastAPI runs them on the event loop, not in its thread pool.
"""

from __future__ import annotations

from typing import Annotated, cast

from fastapi import Depends, Request

from foxden.api.runtime import Runtime
from foxden.config import Settings
from foxden.storage.db import Database


async def runtime(request: Request) -> Runtime:
    """The runtime of the server this request reached."""
    return _runtime(request)


async def _db(request: Request) -> Database:
    return _runtime(request).db


async def _settings(request: Request) -> Settings:
    return _runtime(request).settings


def _runtime(request: Request) -> Runtime:
    return cast(Runtime, request.app.state.runtime)


RuntimeDep = Annotated[Runtime, Depends(runtime)]
Db = Annotated[Database, Depends(_db)]
SettingsDep = Annotated[Settings, Depends(_settings)]
