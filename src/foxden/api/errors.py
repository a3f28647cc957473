"""Turning every failure into an API's own error response, and never a traceback.

Each API package declares one table from domain error classes to status codes and one function
rendering its error body; ``install`` wires them to every kind of failure a request can meet:
domain errors, request validation (malformed JSON, wrong types), unknown routes and methods, and
anything unexpected, which becomes the API's 500 shape and a log line (``CatchAll``).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from foxden.api import validation
from foxden.domain.errors import (
    Conflict,
    Forbidden,
    FoxdenError,
    InvalidInput,
    NotFound,
    PayloadTooLarge,
    Unauthenticated,
)

Render = Callable[[int, FoxdenError], Response]
StatusTable = Mapping[type[FoxdenError], int]

log = logging.getLogger(__name__)

#: The statuses every API shares; an API's own table starts from this one.
STATUSES: StatusTable = {
    InvalidInput: 400,
    PayloadTooLarge: 413,
    Unauthenticated: 401,
    Forbidden: 403,
    NotFound: 404,
    Conflict: 400,
}


def status_of(error: FoxdenError, table: StatusTable) -> int:
    """The status of the most specific class of ``error`` found in ``table`` (else 500)."""
    for cls in type(error).__mro__:
        if cls in table:
            return table[cls]
    return 500


class MethodNotAllowed(FoxdenError):
    """This method is not allowed on this path."""

    code = "method_not_allowed"


def install(app: FastAPI, table: StatusTable, render: Render) -> None:
    """Register the handlers that render every failure through ``render``."""

    async def on_domain_error(_request: Request, exc: Exception) -> Response:
        assert isinstance(exc, FoxdenError)
        return render(status_of(exc, table), exc)

    async def on_validation_error(_request: Request, exc: Exception) -> Response:
        assert isinstance(exc, RequestValidationError)
        error = InvalidInput(validation.message(exc))
        return render(status_of(error, table), error)

    async def on_http_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, HTTPException)
        if exc.status_code == 404:
            return render(404, NotFound())
        if exc.status_code == 405:
            allowed = _allowed(request)
            error = MethodNotAllowed(
                f"{request.method} is not allowed here; this path takes {', '.join(allowed)}."
            )
            response = render(405, error)
            response.headers["Allow"] = ", ".join(allowed)
            return response
        # Only FastAPI's own refusals get here (a body it cannot read, say): the API's class
        # of error for the status, so the body carries that class's code.
        kind = next((cls for cls, code in table.items() if code == exc.status_code), FoxdenError)
        return render(exc.status_code, kind(str(exc.detail)))

    app.add_exception_handler(FoxdenError, on_domain_error)
    app.add_exception_handler(RequestValidationError, on_validation_error)
    app.add_exception_handler(HTTPException, on_http_error)
    app.add_middleware(CatchAll, render=render)


def _allowed(request: Request) -> list[str]:
    """The methods the API's document gives the path template the request matched: Starlette
    names only the methods of the first route matched, though a template may have one route per
    method."""
    template = getattr(request.scope.get("route"), "path_format", "")
    operations = request.app.openapi()["paths"].get(template, {})
    return sorted(method.upper() for method in operations)


class CatchAll:
    """ASGI middleware: any exception left unhandled becomes the API's 500 and a log line.

    Unlike Starlette's own last-resort handler it does not re-raise, so the server keeps the
    connection open and the client sees an ordinary error response.
    """

    def __init__(self, app: ASGIApp, *, render: Render) -> None:
        self.app = app
        self.render = render

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def watch(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, watch)
        except Exception:
            log.exception("unexpected error on %s %s", scope["method"], scope["path"])
            if started:
                raise
            response = self.render(500, FoxdenError("An unexpected error occurred."))
            await response(scope, receive, send)
