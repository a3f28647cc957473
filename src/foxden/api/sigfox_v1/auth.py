"""HTTP Basic authentication with a group's API user (seed 002 "Authentication and security")."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends
from fastapi.security import HTTPBasicCredentials

from foxden.api import passwords
from foxden.api.basic import Basic
from foxden.api.deps import RuntimeDep
from foxden.domain.errors import Unauthenticated
from foxden.domain.principals import Principal, PrincipalKind
from foxden.storage import api_users

_basic = Basic(auto_error=False, description="An API user's login and password.")


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
    if not await passwords.matches(runtime, user.password_hash, given.password):
        raise Unauthenticated("Authentication credentials are invalid.")
    return Principal(PrincipalKind.API_USER, user.login, user.group_id)


PrincipalDep = Annotated[Principal, Depends(principal)]
