"""Checking a password against its Argon2 hash without stalling the server.

Argon2 is slow on purpose (tens of milliseconds): it runs in a thread, once per (hash, password)
and process thanks to ``VerifiedPasswords``, and concurrent checks of the same pair share one
run, so a client opening 64 connections at once with the same credentials costs one Argon2, not
64.
"""

from __future__ import annotations

import asyncio

from foxden.api.runtime import Runtime
from foxden.domain import credentials


async def matches(runtime: Runtime, stored: str | None, plain: str) -> bool:
    """Whether ``plain`` is the password hashed as ``stored``; never with ``stored`` None (no
    such login), which pays for Argon2 all the same, so timing does not tell it apart."""
    if stored is not None and runtime.verified.known(stored, plain):
        return True
    key = (stored or "", credentials.digest(plain))
    check = runtime.checking.get(key)
    if check is None:
        check = asyncio.ensure_future(asyncio.to_thread(credentials.verify_password, stored, plain))
        runtime.checking[key] = check
        check.add_done_callback(lambda _: runtime.checking.pop(key, None))
    if not await asyncio.shield(check) or stored is None:
        return False
    runtime.verified.remember(stored, plain)
    return True
