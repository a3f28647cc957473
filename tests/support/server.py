"""A real foxden server on 127.0.0.1, in a thread with its own event loop."""

from __future__ import annotations

import time
from collections.abc import Callable, Coroutine
from concurrent.futures import Future
from contextlib import AbstractContextManager
from typing import Any, Concatenate, ParamSpec, TypeVar

import httpx
import uvicorn
from anyio.from_thread import BlockingPortal, start_blocking_portal
from sqlalchemy import Connection

from foxden.api.runtime import Runtime
from foxden.app import create_app
from foxden.config import Settings

P = ParamSpec("P")
T = TypeVar("T")


class LiveServer:
    """foxden under uvicorn on a free port; ``read``/``write`` reach its database."""

    def __init__(self, settings: Settings) -> None:
        self._portal_cm: AbstractContextManager[BlockingPortal] = start_blocking_portal()
        self.portal = self._portal_cm.__enter__()
        app = create_app(settings)
        self.runtime: Runtime = app.state.runtime
        config = uvicorn.Config(
            app, host="127.0.0.1", port=0, log_level="warning", lifespan="on", access_log=False
        )
        self._server = uvicorn.Server(config)
        self._task: Future[None] = self.portal.start_task_soon(self._server.serve)
        deadline = time.monotonic() + 30
        while not self._server.started:
            if self._task.done():
                self._task.result()
            if time.monotonic() > deadline:
                raise RuntimeError("the server did not start")
            time.sleep(0.01)
        port = self._server.servers[0].sockets[0].getsockname()[1]
        self.url = f"http://127.0.0.1:{port}"

    def call(self, fn: Callable[..., Coroutine[Any, Any, T]], *args: Any) -> T:
        """Run a coroutine function on the server's event loop."""
        return self.portal.call(fn, *args)

    def read(self, body: Callable[Concatenate[Connection, P], T], *args: Any) -> T:
        """Run a read transaction body on the server's database."""
        return self.portal.call(lambda: self.runtime.db.read(body, *args))

    def write(self, body: Callable[Concatenate[Connection, P], T], *args: Any) -> T:
        """Run a write transaction body on the server's database."""
        return self.portal.call(lambda: self.runtime.db.write(body, *args))

    def stop(self) -> None:
        self._server.should_exit = True
        try:
            self._task.result(timeout=30)
        finally:
            self._portal_cm.__exit__(None, None, None)


class Restartable:
    """A LiveServer that ``restart`` stops and starts again on the same database, as after a
    crash or an upgrade; ``request`` reaches whichever runs."""

    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self.live = LiveServer(settings)

    def restart(self) -> None:
        self.live.stop()
        self.live = LiveServer(self._settings)

    def request(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        with httpx.Client(base_url=self.live.url, timeout=30) as client:
            return client.request(method, path, **kwargs)

    def __enter__(self) -> Restartable:
        return self

    def __exit__(self, *_: object) -> None:
        self.live.stop()
