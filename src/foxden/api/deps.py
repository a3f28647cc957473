"""Annotated dependencies shared by every API: the runtime, its database and settings."""

from __future__ import annotations

from typing import Annotated, cast

from fastapi import Depends, Request

from foxden.api.runtime import Runtime
from foxden.config import Settings
from foxden.storage.db import Database


def runtime(request: Request) -> Runtime:
    """The runtime of the server this request reached."""
    return cast(Runtime, request.app.state.runtime)


def _db(request: Request) -> Database:
    return runtime(request).db


def _settings(request: Request) -> Settings:
    return runtime(request).settings


RuntimeDep = Annotated[Runtime, Depends(runtime)]
Db = Annotated[Database, Depends(_db)]
SettingsDep = Annotated[Settings, Depends(_settings)]
