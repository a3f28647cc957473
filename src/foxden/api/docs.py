"""The pages for people: ``/`` lists the APIs, each API's ``/docs`` is Swagger UI on its OpenAPI.

Swagger UI's files come from the swagger-ui-bundle package and are served by foxden itself, so
that the docs work on a machine with no internet.
"""

from __future__ import annotations

import html
from collections.abc import Mapping
from pathlib import Path

from fastapi import FastAPI
from fastapi.openapi.docs import get_swagger_ui_html
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.staticfiles import StaticFiles
from swagger_ui_bundle import swagger_ui_path

from foxden import __version__

ASSETS = "swagger-ui"  # the name of the route serving assets()


def assets() -> StaticFiles:
    """Swagger UI's files as the package ships them."""
    return StaticFiles(directory=Path(str(swagger_ui_path)))


def install(api: FastAPI) -> None:
    """Give ``api`` its Swagger UI page at ``/docs``, and ``/`` leading there."""

    async def docs(request: Request) -> HTMLResponse:
        def asset(name: str) -> str:
            return request.url_for(ASSETS, path=name).path

        return get_swagger_ui_html(
            openapi_url=f"{_root(request)}/openapi.json",
            title=api.title,
            swagger_js_url=asset("swagger-ui-bundle.js"),
            swagger_css_url=asset("swagger-ui.css"),
            swagger_favicon_url=asset("favicon-32x32.png"),
        )

    async def home(request: Request) -> RedirectResponse:
        return RedirectResponse(f"{_root(request)}/docs")

    api.add_route("/docs", docs, include_in_schema=False)
    api.add_route("/", home, include_in_schema=False)


def _root(request: Request) -> str:
    """The path the API is mounted at (``/api``), as the request reached it."""
    root: str = request.scope.get("root_path", "")
    return root.rstrip("/")


def index(request: Request, apis: Mapping[str, str]) -> Response:
    """The APIs by mount path, with their docs and OpenAPI: a page for a browser, JSON else."""
    listed = [
        {"name": name, "path": path, "docs": f"{path}/docs", "openapi": f"{path}/openapi.json"}
        for path, name in apis.items()
    ]
    if "text/html" not in request.headers.get("accept", ""):
        return JSONResponse({"name": "foxden", "version": __version__, "apis": listed})
    rows = "\n".join(
        _ROW.format(**{key: html.escape(value) for key, value in api.items()}) for api in listed
    )
    return HTMLResponse(_PAGE.format(version=html.escape(__version__), rows=rows))


_ROW = (
    "<tr><td>{name}</td><td><code>{path}</code></td>"
    '<td><a href="{docs}">{docs}</a></td><td><a href="{openapi}">{openapi}</a></td></tr>'
)
_PAGE = """<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><title>foxden</title>
<style>body{{font-family:sans-serif;margin:2em}}td,th{{padding:.3em 1em;text-align:left}}</style>
</head>
<body>
<h1>foxden {version}</h1>
<p>A self-hostable device cloud for Sigfox-style LPWAN devices.</p>
<table>
<tr><th>API</th><th>base path</th><th>interactive docs</th><th>OpenAPI</th></tr>
{rows}
</table>
</body>
</html>
"""
