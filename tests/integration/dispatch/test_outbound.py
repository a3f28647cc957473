"""The outbound policy against real servers on loopback, through aiohttp's whole client stack."""

from __future__ import annotations

import asyncio
import re
import socket
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AsyncExitStack, asynccontextmanager

import aiohttp
import pytest
from aiohttp import web

from foxden.dispatch import outbound
from foxden.dispatch.outbound import OutboundDenied, OutboundPolicy
from tests.support.resolvers import StubResolver

LOOPBACK_ONLY = OutboundPolicy.parse(["127.0.0.1/32"])


class Server:
    """A web server on one loopback address, answering its address and noting every request."""

    def __init__(self, host: str) -> None:
        self.host = host
        self.port = 0
        self.hits: list[str] = []
        self.headers: list[dict[str, str]] = []

    async def _hello(self, request: web.Request) -> web.Response:
        self.hits.append(request.path)
        self.headers.append(dict(request.headers))
        return web.Response(text=f"hello from {self.host}")

    async def _hop(self, request: web.Request) -> web.Response:
        self.hits.append(request.path)
        raise web.HTTPFound(request.query["to"])

    @asynccontextmanager
    async def running(self, port: int = 0) -> AsyncIterator[Server]:
        app = web.Application()
        app.router.add_get("/", self._hello)
        app.router.add_get("/hop", self._hop)
        runner = web.AppRunner(app)
        await runner.setup()
        try:
            await web.TCPSite(runner, self.host, port).start()
            self.port = runner.addresses[0][1]
            yield self
        finally:
            await runner.cleanup()


def loopback_alias_available() -> bool:
    """Whether 127.0.0.2 can be listened on (Linux routes all of 127/8 to lo; macOS does not)."""
    with socket.socket() as probe:
        try:
            probe.bind(("127.0.0.2", 0))
        except OSError:
            return False
    return True


needs_alias = pytest.mark.skipif(
    not loopback_alias_available(), reason="127.0.0.2 is not a usable loopback address here"
)


async def fetch(session: aiohttp.ClientSession, url: str) -> str:
    async with session.get(url) as response:
        assert response.status == 200
        return await response.text()


async def refusal(request: Awaitable[object]) -> OutboundDenied:
    """The OutboundDenied a request fails with, found as the dispatcher would."""
    try:
        await request
    except Exception as exc:  # noqa: BLE001 - whatever aiohttp raises, denial() must see through
        refused = outbound.denial(exc)
        assert refused is not None, f"failed, but not by the policy: {exc!r}"
        return refused
    raise AssertionError("the request was not refused")


def run(scenario: Callable[[], Awaitable[None]]) -> None:
    async def main() -> None:
        await scenario()

    asyncio.run(main())


def test_a_name_resolving_to_loopback_is_refused_before_connecting() -> None:
    async def scenario() -> None:
        async with (
            Server("127.0.0.1").running() as server,
            outbound.session(OutboundPolicy(), timeout_s=10) as session,
        ):
            refused = await refusal(fetch(session, f"http://localhost:{server.port}/"))
            assert refused.target == "localhost"
            assert "denied by the outbound policy" in str(refused)
            # aiohttp 3.14 lets the resolver's exception through unwrapped, as documented.
            with pytest.raises(OutboundDenied):
                await fetch(session, f"http://localhost:{server.port}/")
            assert server.hits == []

    run(scenario)


def test_a_loopback_literal_is_refused_before_connecting() -> None:
    async def scenario() -> None:
        async with (
            Server("127.0.0.1").running() as server,
            outbound.session(OutboundPolicy(), timeout_s=10) as session,
        ):
            url = f"http://127.0.0.1:{server.port}/"
            with pytest.raises(OutboundDenied, match=re.escape("127.0.0.1 is a loopback address")):
                outbound.check_url(OutboundPolicy(), url)
            # The session checks literals itself, for callers that forget to.
            refused = await refusal(fetch(session, url))
            assert refused.target == "127.0.0.1"
            assert server.hits == []

    run(scenario)


def test_an_allowed_address_is_reached_through_its_name() -> None:
    async def scenario() -> None:
        async with (
            Server("127.0.0.1").running() as server,
            outbound.session(LOOPBACK_ONLY, timeout_s=10) as session,
        ):
            url = f"http://localhost:{server.port}/"
            outbound.check_url(LOOPBACK_ONLY, url)
            assert await fetch(session, url) == "hello from 127.0.0.1"
            assert await fetch(session, f"http://127.0.0.1:{server.port}/") == (
                "hello from 127.0.0.1"
            )
            assert server.hits == ["/", "/"]
            assert server.headers[0]["User-Agent"] == "foxden"

    run(scenario)


@needs_alias
def test_only_the_permitted_addresses_of_a_name_are_connected_to() -> None:
    async def scenario() -> None:
        async with AsyncExitStack() as stack:
            allowed = await stack.enter_async_context(Server("127.0.0.1").running())
            denied = await stack.enter_async_context(Server("127.0.0.2").running(allowed.port))
            # The denied address comes first, where aiohttp would otherwise try it first.
            resolver = StubResolver("127.0.0.2", "127.0.0.1")
            session = await stack.enter_async_context(
                outbound.session(LOOPBACK_ONLY, timeout_s=10, resolver=resolver)
            )
            for _ in range(3):
                assert await fetch(session, f"http://callback.test:{allowed.port}/") == (
                    "hello from 127.0.0.1"
                )
            assert denied.hits == []
            assert allowed.hits == ["/", "/", "/"]

    run(scenario)


@needs_alias
def test_a_redirect_to_a_denied_literal_is_refused() -> None:
    async def scenario() -> None:
        async with AsyncExitStack() as stack:
            allowed = await stack.enter_async_context(Server("127.0.0.1").running())
            denied = await stack.enter_async_context(Server("127.0.0.2").running(allowed.port))
            session = await stack.enter_async_context(outbound.session(LOOPBACK_ONLY, timeout_s=10))
            target = f"http://127.0.0.2:{denied.port}/"
            url = f"http://localhost:{allowed.port}/hop?to={target}"
            refused = await refusal(fetch(session, url))
            assert refused.target == "127.0.0.2"
            assert allowed.hits == ["/hop"]
            assert denied.hits == []

    run(scenario)
