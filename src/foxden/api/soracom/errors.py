"""Soracom's error body ``{"code": ..., "message": ...}`` and statuses.

Soracom codes are three letters and four digits; clients branch on the HTTP status and show the
message, so foxden keeps one code per kind of failure rather than Soracom's full catalogue.
"""

from __future__ import annotations

from pydantic import BaseModel, Field
from starlette.responses import JSONResponse, Response

from foxden.domain.errors import FoxdenError

CODES: dict[int, str] = {
    400: "COM0001",
    401: "AUM0001",
    403: "AUM0002",
    404: "COM0002",
    405: "COM0003",
    413: "COM0004",
    500: "COM0005",
}


class APICallErrorMessage(BaseModel):
    """An error response of the Soracom API."""

    code: str = Field(description="Error code.")
    message: str = Field(description="Error message.")


def render(status: int, error: FoxdenError) -> Response:
    """The Soracom error response for ``error``."""
    return JSONResponse(
        {"code": CODES.get(status, "COM0000"), "message": error.message}, status_code=status
    )
