"""A real HTTP receiver on 127.0.0.1 for callback tests, run in its own thread.

Tests are synchronous and foxden runs in another thread, so the sink runs aiohttp on an
event loop in a daemon thread and offers a thread-safe, blocking API: switch how it
answers (``answer``, ``fail``, ``hang``, ``close_connections``) and inspect or wait for
what it received.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import threading
import time
from collections import deque
from collections.abc import Mapping
from concurrent.futures import Future
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any
from urllib.parse import parse_qs

from aiohttp import web

_START_TIMEOUT = 10.0
_MAX_BODY = 10 * 1024 * 1024


@dataclass(frozen=True)
class Received:
    """One request as the sink saw it, recorded before any mode was applied.

    ``path`` is percent-decoded (what per-path modes match); ``query`` and ``path_qs``
    are exactly as sent. ``headers`` keeps the header-name case as received, with
    repeated headers joined by ", "; use ``header()`` for a case-insensitive lookup.
    """

    method: str
    path: str
    query: str
    path_qs: str
    headers: dict[str, str]
    body: bytes
    time: float

    def header(self, name: str, default: str | None = None) -> str | None:
        """The value of header ``name`` in any case, or ``default``."""
        wanted = name.lower()
        for key, value in self.headers.items():
            if key.lower() == wanted:
                return value
        return default

    def params(self) -> dict[str, list[str]]:
        """The query string parsed, blank values kept."""
        return parse_qs(self.query, keep_blank_values=True)

    def form(self) -> dict[str, list[str]]:
        """The body parsed as application/x-www-form-urlencoded, blank values kept."""
        return parse_qs(self.body.decode(), keep_blank_values=True)

    def text(self) -> str:
        """The body decoded as UTF-8."""
        return self.body.decode()

    def json(self) -> Any:
        """The body parsed as JSON."""
        return json.loads(self.body)


@dataclass(frozen=True)
class _Answer:
    status: int
    body: bytes
    content_type: str | None
    headers: Mapping[str, str]


@dataclass(frozen=True)
class _Hang:
    pass


@dataclass(frozen=True)
class _Drop:
    pass


_Mode = _Answer | _Hang | _Drop


@dataclass
class _Rule:
    """What one path (or the default) does: one-shot modes first, then the standing one."""

    standing: _Mode | None = None
    once: deque[_Mode] = field(default_factory=deque)


class HttpSink:
    """An aiohttp server on a free loopback port that records every request.

    By default it answers 200 with an empty body. Each mode setter takes ``path`` (the
    decoded request path, matched exactly; ``None`` is the default for all other paths)
    and ``times``: ``None`` makes it the standing mode for that path and drops queued
    one-shot modes there; a number queues that many one-shot uses ahead of the standing
    mode, so ``fail(times=2)`` fails the next two requests and then answers as before.
    A request held by ``hang`` asks for its mode again (taking a queued one-shot, if
    any) whenever any mode changes, and is dropped unanswered when the sink closes.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._arrived = threading.Condition(self._lock)
        self._requests: list[Received] = []
        self._rules: dict[str | None, _Rule] = {}
        self._reset_rules()
        self._closed = False
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None
        self._changed: asyncio.Event | None = None
        self._closing = False
        self._started: Future[int] = Future()
        self._thread = threading.Thread(target=self._run, name="http-sink", daemon=True)
        self._thread.start()
        try:
            port = self._started.result(timeout=_START_TIMEOUT)
        except BaseException:
            self.close()
            raise
        self.url = f"http://127.0.0.1:{port}"

    # -- modes ---------------------------------------------------------------------------

    def answer(
        self,
        status: int = 200,
        body: bytes = b"",
        content_type: str | None = None,
        headers: Mapping[str, str] | None = None,
        *,
        path: str | None = None,
        times: int | None = None,
    ) -> None:
        """Answer with this status, body and headers."""
        self._set(path, times, _Answer(status, body, content_type, dict(headers or {})))

    def fail(
        self,
        status: int = 500,
        body: bytes = b"boom",
        content_type: str | None = None,
        headers: Mapping[str, str] | None = None,
        *,
        path: str | None = None,
        times: int | None = None,
    ) -> None:
        """Answer with an error; ``answer`` with other defaults."""
        self.answer(status, body, content_type, headers, path=path, times=times)

    def hang(self, *, path: str | None = None, times: int | None = None) -> None:
        """Never answer, until the mode changes or the sink closes."""
        self._set(path, times, _Hang())

    def close_connections(self, *, path: str | None = None, times: int | None = None) -> None:
        """Close the TCP connection without answering, after reading the request."""
        self._set(path, times, _Drop())

    def reset(self) -> None:
        """Forget every mode: answer 200 with an empty body everywhere."""
        with self._lock:
            self._reset_rules()
        self._wake()

    # -- what arrived --------------------------------------------------------------------

    @property
    def requests(self) -> list[Received]:
        """A copy of every request received so far, oldest first."""
        with self._lock:
            return list(self._requests)

    def wait_for(
        self, count: int, timeout: float = 10.0, path: str | None = None
    ) -> list[Received]:
        """Block until at least ``count`` requests (to ``path`` if given) arrived; return them."""
        deadline = time.monotonic() + timeout
        with self._arrived:
            while True:
                matching = [r for r in self._requests if path is None or r.path == path]
                if len(matching) >= count:
                    return matching
                left = deadline - time.monotonic()
                if left <= 0:
                    where = "" if path is None else f" to {path}"
                    seen = sorted({f"{r.method} {r.path}" for r in self._requests})
                    raise AssertionError(
                        f"expected {count} request(s){where} within {timeout}s, "
                        f"got {len(matching)}; all received: {len(self._requests)} {seen}"
                    )
                self._arrived.wait(left)

    def clear(self) -> None:
        """Forget the requests received so far; modes stay."""
        with self._lock:
            self._requests.clear()

    # -- lifecycle -----------------------------------------------------------------------

    def close(self) -> None:
        """Drop hung requests, stop the server and join its thread. Idempotent."""
        if self._closed:
            return
        self._closed = True
        loop, stop = self._loop, self._stop
        if loop is not None and stop is not None:
            with contextlib.suppress(RuntimeError):  # the loop already ended (failed start)
                loop.call_soon_threadsafe(stop.set)
        self._thread.join(timeout=30)

    def __enter__(self) -> HttpSink:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"HttpSink({getattr(self, 'url', '<not started>')!r})"

    # -- internals -----------------------------------------------------------------------

    def _reset_rules(self) -> None:
        self._rules = {None: _Rule(standing=_Answer(200, b"", None, {}))}

    def _set(self, path: str | None, times: int | None, mode: _Mode) -> None:
        if times is not None and times < 1:
            raise ValueError("times must be at least 1")
        with self._lock:
            rule = self._rules.setdefault(path, _Rule())
            if times is None:
                rule.standing = mode
                rule.once.clear()
            else:
                rule.once.extend([mode] * times)
        self._wake()

    def _wake(self) -> None:
        """Let hung requests look at the modes again."""
        loop = self._loop
        if loop is None or self._closed:
            return
        with contextlib.suppress(RuntimeError):  # the loop already ended
            loop.call_soon_threadsafe(self._notify)

    def _notify(self) -> None:
        assert self._changed is not None
        self._changed.set()
        self._changed = asyncio.Event()

    def _pick(self, path: str) -> _Mode:
        """The mode for ``path``: its one-shots, its standing mode, then the default's."""
        with self._lock:
            for key in (path, None):
                rule = self._rules.get(key)
                if rule is None:
                    continue
                if rule.once:
                    return rule.once.popleft()
                if rule.standing is not None:
                    return rule.standing
            raise AssertionError("the default rule always has a standing mode")

    def _run(self) -> None:
        try:
            asyncio.run(self._main())
        finally:
            if not self._started.done():
                self._started.set_exception(RuntimeError("the HTTP sink did not start"))

    async def _main(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._stop = asyncio.Event()
        self._changed = asyncio.Event()
        app = web.Application(client_max_size=_MAX_BODY)
        app.router.add_route("*", "/{tail:.*}", self._handle)
        # handler_cancellation: a client that goes away cancels its handler, so hung and
        # dropped requests end quietly instead of writing to a closed transport.
        runner = web.AppRunner(
            app, access_log=None, handler_cancellation=True, shutdown_timeout=1.0
        )
        try:
            await runner.setup()
            site = web.TCPSite(runner, "127.0.0.1", 0)
            await site.start()
            port: int = runner.addresses[0][1]
        except OSError as exc:  # cannot bind; anything else is a bug and propagates
            await runner.cleanup()
            self._started.set_exception(exc)
            return
        self._started.set_result(port)
        try:
            await self._stop.wait()
        finally:
            self._closing = True
            self._notify()
            await runner.cleanup()

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        body = await request.read()
        headers: dict[str, str] = {}
        for raw_name, raw_value in request.raw_headers:
            name, value = raw_name.decode("latin-1"), raw_value.decode("latin-1")
            headers[name] = f"{headers[name]}, {value}" if name in headers else value
        received = Received(
            method=request.method,
            path=request.path,
            query=request.rel_url.raw_query_string,
            path_qs=request.raw_path,
            headers=headers,
            body=body,
            time=time.monotonic(),
        )
        with self._arrived:
            self._requests.append(received)
            self._arrived.notify_all()
        mode = self._pick(request.path)
        while isinstance(mode, _Hang) and not self._closing:
            assert self._changed is not None
            await self._changed.wait()
            mode = self._pick(request.path)
        if isinstance(mode, _Answer):
            response = web.Response(
                status=mode.status, body=mode.body, content_type=mode.content_type
            )
            response.headers.update(mode.headers)
            return response
        return await self._drop(request)

    async def _drop(self, request: web.Request) -> web.StreamResponse:
        """Close the connection unanswered; the handler ends when aiohttp cancels it."""
        transport = request.transport
        if transport is not None:
            transport.close()
        await asyncio.Event().wait()  # cancelled by connection_lost (handler_cancellation)
        raise AssertionError("unreachable")
