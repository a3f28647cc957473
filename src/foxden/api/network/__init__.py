"""foxden's network API, served under ``/network``: base-station uplinks and Sigfox Cloud
callbacks in (see ``docs/network-api.md``)."""

from __future__ import annotations

from fastapi import FastAPI

from foxden.api import subapp
from foxden.api.network import cloud_callbacks, stations
from foxden.api.network.errors import STATUSES, NetworkError, renderer
from foxden.api.runtime import Runtime


def create_api(runtime: Runtime) -> FastAPI:
    """The network API as an ASGI sub-application."""
    return subapp.create(
        runtime,
        title="foxden: network API",
        description="Uplinks in: from base stations and from Sigfox Cloud callbacks.",
        statuses=STATUSES,
        render=renderer(runtime.settings.sigfox_realm),
        error_model=NetworkError,
        routers=[stations.router, cloud_callbacks.router],
    )
