"""Counting Argon2 verifications, to show that a login path pays for one whatever the login."""

from __future__ import annotations

import pytest

from foxden.domain import credentials


def counted(monkeypatch: pytest.MonkeyPatch) -> list[str | None]:
    """The stored hashes ``credentials.verify_password`` is called with from now on, in order
    (None for a login that does not exist); the real verification still runs."""
    calls: list[str | None] = []
    verify = credentials.verify_password

    def counting(stored: str | None, plain: str) -> bool:
        calls.append(stored)
        return verify(stored, plain)

    monkeypatch.setattr(credentials, "verify_password", counting)
    return calls
