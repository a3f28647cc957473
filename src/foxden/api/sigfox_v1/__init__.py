"""The Sigfox backend REST API v1 (seed 002), served under ``/api``: router assembly only."""

from __future__ import annotations

from fastapi import FastAPI

from foxden.api import subapp
from foxden.api.errors import STATUSES
from foxden.api.runtime import Runtime
from foxden.api.sigfox_v1 import (
    callbacks,
    coverage,
    device_types,
    devices,
    downlinks,
    failed_callbacks,
    groups,
    messages,
    registration,
    status_events,
    users,
)
from foxden.api.sigfox_v1.errors import Error, renderer


def create_api(runtime: Runtime) -> FastAPI:
    """The Sigfox v1 API as an ASGI sub-application."""
    return subapp.create(
        runtime,
        title="foxden: Sigfox backend REST API v1",
        description="The Sigfox backend REST API (v1), as documented by Sigfox.",
        statuses=STATUSES,
        render=renderer(runtime.settings.sigfox_realm),
        error_model=Error,
        routers=[
            groups.router,
            device_types.router,
            registration.router,
            callbacks.router,
            status_events.router,
            messages.router,
            devices.router,
            downlinks.router,
            failed_callbacks.router,
            coverage.router,
            users.router,
        ],
    )
