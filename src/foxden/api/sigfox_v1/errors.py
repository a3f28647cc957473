"""Seed 002's error statuses (400, 401, 403, 404, 500) and body ``{"message": ...}``.

Seed 002 gives the status codes but no body; the body is the ``message`` of Sigfox's API v2
``ErrorContent``, which clients of both versions read. A 401 carries the Basic challenge, since
some clients send credentials only after being challenged.
"""

from __future__ import annotations

from pydantic import BaseModel, Field
from starlette.responses import JSONResponse, Response

from foxden.api.errors import Render
from foxden.domain.errors import FoxdenError


class Error(BaseModel):
    """An error response of the Sigfox API."""

    message: str = Field(description="What went wrong.")


def renderer(realm: str) -> Render:
    """The error renderer of the Sigfox v1 API, challenging with ``realm`` on 401."""
    challenge = {"WWW-Authenticate": f'Basic realm="{realm}"'}

    def render(status: int, error: FoxdenError) -> Response:
        headers = challenge if status == 401 else None
        return JSONResponse({"message": error.message}, status_code=status, headers=headers)

    return render
