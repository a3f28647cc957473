"""The Soracom API (seeds 000 and 003, ``soracom-api.en.yaml``), served under ``/v1``."""

from __future__ import annotations

from fastapi import FastAPI

from foxden.api import subapp
from foxden.api.errors import STATUSES
from foxden.api.runtime import Runtime
from foxden.api.soracom import auth, groups, harvest, sigfox_devices
from foxden.api.soracom.errors import APICallErrorMessage, render


def create_api(runtime: Runtime) -> FastAPI:
    """The Soracom API as an ASGI sub-application."""
    return subapp.create(
        runtime,
        title="foxden: Soracom API",
        description="The Soracom API for Sigfox devices, Harvest Data and event handlers.",
        statuses=STATUSES,
        render=render,
        error_model=APICallErrorMessage,
        routers=[auth.router, sigfox_devices.router, groups.router, harvest.router],
    )
