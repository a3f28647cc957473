"""The Soracom API (seeds 000 and 003, ``soracom-api.en.yaml``), served under ``/v1``."""

from __future__ import annotations

from fastapi import FastAPI

from foxden.api.errors import install as install_error_handlers
from foxden.api.limits import BodyLimit
from foxden.api.openapi import document_errors
from foxden.api.runtime import Runtime
from foxden.api.soracom import auth
from foxden.api.soracom.errors import STATUSES, APICallErrorMessage, render


def create_api(runtime: Runtime) -> FastAPI:
    """The Soracom API as an ASGI sub-application."""
    api = FastAPI(
        title="foxden: Soracom API",
        version="1",
        description="The Soracom API for Sigfox devices, Harvest Data and event handlers.",
        docs_url="/docs",
        redoc_url=None,
    )
    api.state.runtime = runtime
    install_error_handlers(api, STATUSES, render)
    api.add_middleware(BodyLimit, max_bytes=runtime.settings.max_body_bytes, render=render)
    api.include_router(auth.router)
    document_errors(api, APICallErrorMessage)
    return api
