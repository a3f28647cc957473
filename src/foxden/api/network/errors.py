"""The network API's errors: ``{"code": ..., "message": ...}`` with foxden's own codes.

This API is foxden's (stations and the simulator speak it), so its codes are the domain errors'
stable snake_case codes, and a replayed frame is a 409.
"""

from __future__ import annotations

from pydantic import BaseModel, Field
from starlette.responses import JSONResponse, Response

from foxden.api.errors import STATUSES as COMMON_STATUSES
from foxden.api.errors import Render, StatusTable
from foxden.domain.errors import Conflict, FoxdenError

STATUSES: StatusTable = {**COMMON_STATUSES, Conflict: 409}


class NetworkError(BaseModel):
    """An error response of the network API."""

    code: str = Field(description="What kind of error: a stable snake_case name.")
    message: str = Field(description="What went wrong.")


def renderer(realm: str) -> Render:
    """The network API's error renderer: a 401 challenges for a station token or, on the
    Sigfox Cloud route, an API user's Basic credentials."""
    challenge = {"WWW-Authenticate": f'Bearer, Basic realm="{realm}"'}

    def render(status: int, error: FoxdenError) -> Response:
        headers = challenge if status == 401 else None
        return JSONResponse(
            {"code": error.code, "message": error.message}, status_code=status, headers=headers
        )

    return render
