from __future__ import annotations

import asyncio

import pytest

from foxden.api import passwords
from foxden.api.runtime import Runtime
from foxden.config import Settings
from foxden.domain import credentials
from tests.support.verifications import counted


def test_an_unknown_login_is_verified_like_a_wrong_password(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    verified = counted(monkeypatch)
    runtime = Runtime(Settings(database_url="sqlite:///unused.sqlite3"))
    made = credentials.new_password()

    async def attempts() -> list[bool]:
        return [
            await passwords.matches(runtime, None, "guess"),
            await passwords.matches(runtime, None, "guess"),
            await passwords.matches(runtime, made.stored, "guess"),
            await passwords.matches(runtime, made.stored, made.plain),
            await passwords.matches(runtime, made.stored, made.plain),
        ]

    assert asyncio.run(attempts()) == [False, False, False, True, True]
    # Every failure pays for Argon2; only a success is remembered and not paid for twice.
    assert verified == [None, None, made.stored, made.stored]
