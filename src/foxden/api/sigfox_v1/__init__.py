"""The Sigfox backend REST API v1 (seed 002), served under ``/api``: router assembly only."""

from __future__ import annotations

from fastapi import FastAPI

from foxden.api.errors import install as install_error_handlers
from foxden.api.limits import BodyLimit
from foxden.api.openapi import document_errors
from foxden.api.runtime import Runtime
from foxden.api.sigfox_v1 import device_types, groups
from foxden.api.sigfox_v1.errors import STATUSES, Error, renderer


def create_api(runtime: Runtime) -> FastAPI:
    """The Sigfox v1 API as an ASGI sub-application."""
    api = FastAPI(
        title="foxden: Sigfox backend REST API v1",
        version="1",
        description="The Sigfox backend REST API (v1), as documented by Sigfox.",
        docs_url="/docs",
        redoc_url=None,
    )
    api.state.runtime = runtime
    render = renderer(runtime.settings.sigfox_realm)
    install_error_handlers(api, STATUSES, render)
    api.add_middleware(BodyLimit, max_bytes=runtime.settings.max_body_bytes, render=render)
    api.include_router(groups.router)
    api.include_router(device_types.router)
    document_errors(api, Error)
    return api
