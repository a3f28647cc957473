"""Refuse a query string that names a parameter twice: every query parameter of these APIs holds
one value, and taking either the first or the last of two would be a guess."""

from __future__ import annotations

from urllib.parse import parse_qsl

from starlette.types import ASGIApp, Receive, Scope, Send

from foxden.api.errors import Render
from foxden.domain.errors import InvalidInput


class SingleValued:
    """ASGI middleware: a repeated query parameter is ``render(400, ...)``."""

    def __init__(self, app: ASGIApp, *, render: Render) -> None:
        self.app = app
        self.render = render

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        query = scope.get("query_string", b"") if scope["type"] == "http" else b""
        if query:
            names = [name for name, _ in parse_qsl(query.decode("latin-1"), keep_blank_values=True)]
            repeated = sorted({name for name in names if names.count(name) > 1})
            if repeated:
                error = InvalidInput(f"{repeated[0]}: given more than once.")
                await self.render(400, error)(scope, receive, send)
                return
        await self.app(scope, receive, send)
