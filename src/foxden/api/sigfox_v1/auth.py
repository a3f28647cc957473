"""HTTP Basic authentication with a group's API user (seed 002 "Authentication and security")."""

from __future__ import annotations

import asyncio
from typing import Annotated

from fastapi import Depends
from fastapi.security import HTTPBasic, HTTPBasicCredentials

from foxden.api.deps import RuntimeDep
from foxden.domain import credentials
from foxden.domain.errors import Unauthenticated
from foxden.domain.principals import Principal, PrincipalKind
from foxden.storage import api_users

_basic = HTTPBasic(auto_error=False, description="An API user's login and password.")


async def principal(
    runtime: RuntimeDep,
    given: Annotated[HTTPBasicCredentials | None, Depends(_basic)],
) -> Principal:
    """The API user the request's Basic credentials name, or 401."""
    if given is None:
        raise Unauthenticated("Authentication credentials were not present.")
    user = await runtime.db.read(api_users.get, given.username)
    if user is None:
        raise Unauthenticated("Authentication credentials are invalid.")
    if not runtime.verified.known(user.password_hash, given.password):
        # Argon2 is slow on purpose: off the event loop, and once per (hash, password).
        if not await asyncio.to_thread(
            credentials.verify_password, user.password_hash, given.password
        ):
            raise Unauthenticated("Authentication credentials are invalid.")
        runtime.verified.remember(user.password_hash, given.password)
    return Principal(PrincipalKind.API_USER, user.login, user.group_id)


PrincipalDep = Annotated[Principal, Depends(principal)]
