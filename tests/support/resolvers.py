"""A DNS resolver under the test's control, for the outbound policy's checks after resolution."""

from __future__ import annotations

import socket

from aiohttp.abc import AbstractResolver, ResolveResult


class StubResolver(AbstractResolver):
    """Resolves every name to fixed addresses, in order, as DNS under someone else's control."""

    def __init__(self, *addresses: str) -> None:
        self.addresses = addresses
        self.closed = False

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        return [
            ResolveResult(
                hostname=host,
                host=address,
                port=port,
                family=socket.AF_INET6 if ":" in address else socket.AF_INET,
                proto=socket.IPPROTO_TCP,
                flags=socket.AI_NUMERICHOST,
            )
            for address in self.addresses
        ]

    async def close(self) -> None:
        self.closed = True
