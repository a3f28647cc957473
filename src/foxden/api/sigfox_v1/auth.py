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
    # An unknown login is checked against a dummy hash: it costs what a wrong password costs.
    matched = await passwords.matches(runtime, user.password_hash if user else None, given.password)
    if user is None or not matched:
        raise Unauthenticated("Authentication credentials are invalid.")
    return Principal(PrincipalKind.API_USER, user.login, user.group_id)


PrincipalDep = Annotated[Principal, Depends(principal)]
