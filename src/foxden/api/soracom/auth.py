"""Soracom authentication: ``POST /auth`` issues an API key and token; requests carry both.

An operator authenticates with an auth key (id + secret) or with its root email and password.
The token is stored as a SHA-256 digest and expires after ``tokenTimeoutSeconds``.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Security, status
from fastapi.security import APIKeyHeader
from pydantic import BaseModel, ConfigDict, Field
from pydantic.json_schema import SkipJsonSchema
from sqlalchemy import Connection

from foxden.api import passwords
from foxden.api.deps import Db, RuntimeDep
from foxden.domain import credentials
from foxden.domain.clock import now_ms
from foxden.domain.errors import InvalidInput, Unauthenticated
from foxden.domain.principals import Principal, PrincipalKind
from foxden.storage import operators

router = APIRouter(tags=["Auth"])

# The scheme names and headers of Soracom's own document, whose clients send both together.
_api_key = APIKeyHeader(
    name="X-Soracom-API-Key",
    scheme_name="api_key",
    description="The API key `POST /auth` answered, sent with the API token.",
    auto_error=False,
)
_token = APIKeyHeader(
    name="X-Soracom-Token",
    scheme_name="api_token",
    description="The API token `POST /auth` answered, sent with the API key.",
    auto_error=False,
)

MAX_TOKEN_TIMEOUT = 172_800


class AuthRequest(BaseModel):
    """Either ``authKeyId`` + ``authKey``, or ``email`` + ``password``."""

    model_config = ConfigDict(
        json_schema_extra={
            "anyOf": [{"required": ["authKeyId", "authKey"]}, {"required": ["email", "password"]}]
        }
    )

    auth_key_id: str | SkipJsonSchema[None] = Field(None, alias="authKeyId")
    auth_key: str | SkipJsonSchema[None] = Field(None, alias="authKey")
    email: str | SkipJsonSchema[None] = None
    password: str | SkipJsonSchema[None] = None
    operator_id: str | SkipJsonSchema[None] = Field(None, alias="operatorId")
    user_name: str | SkipJsonSchema[None] = Field(None, alias="userName")
    token_timeout_seconds: (
        Annotated[int, Field(ge=1, le=MAX_TOKEN_TIMEOUT)] | SkipJsonSchema[None]
    ) = Field(None, alias="tokenTimeoutSeconds")


class AuthResponse(BaseModel):
    """The API key and token to send with every further request."""

    api_key: str = Field(alias="apiKey")
    operator_id: str = Field(alias="operatorId")
    token: str


async def principal(
    db: Db,
    api_key: Annotated[str | None, Security(_api_key)],
    token: Annotated[str | None, Security(_token)],
) -> Principal:
    """The operator whose unexpired API key and token the request carries, or 401."""
    if not api_key or not token:
        raise Unauthenticated("X-Soracom-API-Key and X-Soracom-Token are required.")
    found = await db.read(_token_owner, api_key)
    if found is None:
        raise Unauthenticated("Invalid API key or token.")
    stored, group_id = found
    if not credentials.verify_token(stored.token_digest, token) or stored.expires_at <= now_ms():
        raise Unauthenticated("Invalid or expired API key or token.")
    return Principal(PrincipalKind.OPERATOR, stored.operator_id, group_id, stored.operator_id)


def _token_owner(conn: Connection, api_key: str) -> tuple[operators.ApiToken, str] | None:
    token = operators.get_token(conn, api_key)
    if token is None:
        return None
    operator = operators.get(conn, token.operator_id)
    return (token, operator.group_id) if operator else None


PrincipalDep = Annotated[Principal, Depends(principal)]


def _login_secret(conn: Connection, body: AuthRequest) -> tuple[str | None, str | None, str]:
    """The (operator id, stored hash, given secret) the request names; the id and hash are
    None for an unknown auth key or email, or an operator without a password."""
    if body.auth_key_id is not None and body.auth_key is not None:
        key = operators.get_auth_key(conn, body.auth_key_id)
        return (*key, body.auth_key) if key else (None, None, body.auth_key)
    if body.email is not None and body.password is not None:
        operator = operators.find_by_email(conn, body.email)
        if operator is None or operator.password_hash is None:
            return None, None, body.password
        return operator.id, operator.password_hash, body.password
    raise InvalidInput("Specify authKeyId and authKey, or email and password.")


@router.post(
    "/auth",
    response_model=AuthResponse,
    summary="Performs authentication to access to the Soracom API.",
    responses={401: {"description": "Authentication failed."}},
)
async def auth(body: AuthRequest, runtime: RuntimeDep) -> AuthResponse:
    """Issue an API key and token for an auth key or an operator's email and password."""
    if body.user_name is not None:
        raise Unauthenticated("SAM users are not supported; use an auth key.")
    db = runtime.db
    operator_id, stored, secret = await db.read(_login_secret, body)
    # An unknown login is checked against a dummy hash: it costs what a wrong secret costs.
    matched = await passwords.matches(runtime, stored, secret)
    if operator_id is None or not matched:
        raise Unauthenticated("Authentication failed.")
    timeout = body.token_timeout_seconds or runtime.settings.soracom_token_timeout
    token = credentials.new_token()
    api_key = await db.write(operators.issue_token, operator_id, token.stored, timeout)
    return AuthResponse(apiKey=api_key, operatorId=operator_id, token=token.plain)


@router.post(
    "/auth/logout",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Revokes an API key and API token in order to remove access to the Soracom API.",
)
async def logout(
    db: Db, _principal: PrincipalDep, api_key: Annotated[str | None, Security(_api_key)]
) -> None:
    """Revoke the API key and token this request was made with."""
    assert api_key is not None
    await db.write(operators.revoke_token, api_key)
