"""The ASGI application: one server, several APIs, each mounted as its own sub-application.

Each API keeps its own error shapes, auth and OpenAPI document (``/api/openapi.json``,
``/v1/openapi.json``). The lifespan opens the database, applies pending migrations, starts the
callback dispatcher (unless ``dispatcher`` is off) and the silence monitor (unless ``monitor``
is off) and, on an empty database with ``demo`` on, loads the demo fleet; with ``simulate`` on
as well, the demo devices then send simulated frames to the server itself, so a newcomer sees
data flow at once.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable

from fastapi import FastAPI
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from foxden import __version__
from foxden.api import docs, network, sigfox_v1, soracom
from foxden.api.runtime import Runtime
from foxden.api.sigfox_v1 import registration
from foxden.api.soracom import errors as soracom_errors
from foxden.config import Settings
from foxden.dispatch.dispatcher import Dispatcher
from foxden.dispatch.downlink_calls import DownlinkCalls
from foxden.domain.errors import NotFound
from foxden.monitor.monitor import Monitor
from foxden.simulate import demo, fleet
from foxden.storage.migrate import open_database

OnStart = Callable[[Runtime, "demo.DemoFleet | None"], None]

MOUNTS = {"/api": "Sigfox API v1", "/v1": "Soracom API", "/network": "Network API"}


def create_app(settings: Settings, *, on_start: OnStart | None = None) -> FastAPI:
    """Build the whole server for ``settings``; ``on_start`` runs once it is ready."""
    runtime = Runtime(settings)

    @contextlib.asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        runtime.db = await open_database(settings)
        runtime.downlink_calls = DownlinkCalls.open(runtime.db, settings)
        registrations = registration.start(runtime)
        dispatcher: Dispatcher | None = None
        if settings.dispatcher:
            dispatcher = Dispatcher(runtime.db, settings, wake=runtime.outbox_queued)
            dispatcher.start()
        monitor: Monitor | None = None
        if settings.monitor:
            monitor = Monitor(runtime.db, settings, wake=runtime.outbox_queued)
            monitor.start()
        simulator: asyncio.Task[None] | None = None
        try:
            demo_fleet = await demo.ensure(runtime.db) if settings.demo else None
            if demo_fleet is not None and settings.simulate:
                simulator = asyncio.create_task(
                    fleet.run_demo(runtime.db, _own_url(settings), demo_fleet.group_id),
                    name="foxden-simulator",
                )
            if on_start is not None:
                on_start(runtime, demo_fleet)
            yield
        finally:
            if simulator is not None:
                simulator.cancel()
                await asyncio.wait([simulator])
            await registration.stop(registrations)
            if monitor is not None:
                await monitor.stop()
            if dispatcher is not None:
                await dispatcher.stop()
            await runtime.downlink_calls.close()
            await runtime.db.close()
            runtime.db = None

    app = FastAPI(
        title="foxden",
        version=__version__,
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
    )
    app.state.runtime = runtime
    app.mount("/api", sigfox_v1.create_api(runtime))
    app.mount("/v1", soracom.create_api(runtime))
    app.mount("/network", network.create_api(runtime))

    app.mount("/swagger-ui", docs.assets(), name=docs.ASSETS)

    @app.get("/", include_in_schema=False)
    async def index(request: Request) -> Response:
        return docs.index(request, MOUNTS)

    @app.exception_handler(404)
    async def not_found(request: Request, _exc: Exception) -> Response:
        # A path no mount takes (one with a line break, say) still gets its API's error shape.
        if request.url.path.startswith("/v1/"):
            return soracom_errors.render(404, NotFound())
        return JSONResponse({"message": "Not found."}, status_code=404)

    return app


def _own_url(settings: Settings) -> str:
    """Where the server reaches itself: its listening address, loopback when it listens on all."""
    everywhere = {"0.0.0.0": "127.0.0.1", "::": "::1"}  # noqa: S104 - addresses read, not bound
    host = everywhere.get(settings.host, settings.host)
    return f"http://[{host}]:{settings.port}" if ":" in host else f"http://{host}:{settings.port}"
