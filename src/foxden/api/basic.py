"""HTTP Basic credentials (RFC 7617), read strictly and refused in the API's own error shape.

FastAPI's ``HTTPBasic`` answers a malformed header with its own 401 body and a challenge without
the realm; this reading raises ``Unauthenticated`` instead, which each API renders itself. The
credentials are UTF-8 (RFC 7617's charset) and checked like every other text of a request.
"""

from __future__ import annotations

from base64 import b64decode

from fastapi.security import HTTPBasic, HTTPBasicCredentials
from fastapi.security.utils import get_authorization_scheme_param
from starlette.requests import HTTPConnection

from foxden.api import text
from foxden.domain.errors import InvalidInput, Unauthenticated


def credentials(param: str) -> HTTPBasicCredentials:
    """The login and password of a Basic ``Authorization`` header's parameter, or 401."""
    try:
        decoded = b64decode(param, validate=True).decode()
    except ValueError:  # not base64 (binascii.Error), not ASCII, or not UTF-8 once decoded
        message = "Basic credentials must be login:password in UTF-8 and base64."
        raise Unauthenticated(message) from None
    login, colon, password = decoded.partition(":")
    if not colon:
        raise Unauthenticated("Basic credentials must be login:password (no colon found).")
    try:
        text.check(decoded, "Basic credentials")
    except InvalidInput as error:
        raise Unauthenticated(error.message) from None
    return HTTPBasicCredentials(username=login, password=password)


class Basic(HTTPBasic):
    """The Basic security scheme, as documented in OpenAPI, read with ``credentials``."""

    async def __call__(self, request: HTTPConnection) -> HTTPBasicCredentials | None:  # type: ignore[override]
        """The request's Basic credentials, None without any, or 401 when malformed."""
        scheme, param = get_authorization_scheme_param(request.headers.get("Authorization"))
        if scheme.lower() != "basic":
            return None
        if not param:
            raise Unauthenticated("Basic credentials are empty.")
        return credentials(param)
