"""One recipe for every API sub-application: its errors, body cap, text check, routers and
OpenAPI."""

from __future__ import annotations

from collections.abc import Sequence

from fastapi import APIRouter, FastAPI
from pydantic import BaseModel

from foxden.api import docs
from foxden.api.errors import Render, StatusTable
from foxden.api.errors import install as install_error_handlers
from foxden.api.limits import BodyLimit
from foxden.api.openapi import document_errors
from foxden.api.query import SingleValued
from foxden.api.runtime import Runtime
from foxden.api.text import StorableText


def create(
    runtime: Runtime,
    *,
    title: str,
    description: str,
    statuses: StatusTable,
    render: Render,
    error_model: type[BaseModel],
    routers: Sequence[APIRouter],
) -> FastAPI:
    """An API as an ASGI sub-application answering every failure in its own shape."""
    api = FastAPI(
        title=title,
        version="1",
        description=description,
        docs_url=None,  # docs.install serves it, from the package's files
        redoc_url=None,
        swagger_ui_oauth2_redirect_url=None,
        # An operation's id is its handler's name (or the ``operation_id`` a route gives).
        generate_unique_id_function=lambda route: route.name,
    )
    api.state.runtime = runtime
    install_error_handlers(api, statuses, render)
    api.add_middleware(StorableText, render=render)
    api.add_middleware(BodyLimit, max_bytes=runtime.settings.max_body_bytes, render=render)
    api.add_middleware(SingleValued, render=render)
    for router in routers:
        api.include_router(router)
    document_errors(api, error_model)
    docs.install(api)
    return api
