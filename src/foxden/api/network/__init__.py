"""foxden's network API, served under ``/network``: base-station uplinks and Sigfox Cloud
callbacks in (see ``docs/network-api.md``)."""

from __future__ import annotations

from fastapi import FastAPI

from foxden.api.errors import install as install_error_handlers
from foxden.api.limits import BodyLimit
from foxden.api.network import cloud_callbacks, stations
from foxden.api.network.errors import STATUSES, NetworkError, renderer
from foxden.api.openapi import document_errors
from foxden.api.runtime import Runtime


def create_api(runtime: Runtime) -> FastAPI:
    """The network API as an ASGI sub-application."""
    api = FastAPI(
        title="foxden: network API",
        version="1",
        description="Uplinks in: from base stations and from Sigfox Cloud callbacks.",
        docs_url="/docs",
        redoc_url=None,
    )
    api.state.runtime = runtime
    render = renderer(runtime.settings.sigfox_realm)
    install_error_handlers(api, STATUSES, render)
    api.add_middleware(BodyLimit, max_bytes=runtime.settings.max_body_bytes, render=render)
    api.include_router(stations.router)
    api.include_router(cloud_callbacks.router)
    document_errors(api, NetworkError)
    return api
