from __future__ import annotations

import pytest
from argon2 import PasswordHasher

from foxden.domain import credentials


def test_a_password_verifies_against_its_hash_only() -> None:
    made = credentials.new_password()
    assert made.plain not in made.stored
    assert made.stored.startswith("$argon2id$")
    assert credentials.verify_password(made.stored, made.plain)
    assert not credentials.verify_password(made.stored, made.plain + "x")
    assert not credentials.verify_password("not a hash", made.plain)


def test_a_token_verifies_against_its_digest() -> None:
    made = credentials.new_token()
    assert len(made.plain) >= 43
    assert made.stored == credentials.digest(made.plain)
    assert credentials.verify_token(made.stored, made.plain)
    assert not credentials.verify_token(made.stored, made.plain[:-1])


def test_verified_passwords_are_keyed_by_the_stored_hash() -> None:
    cache = credentials.VerifiedPasswords(size=2)
    cache.remember("hash-1", "secret")
    assert cache.known("hash-1", "secret")
    assert not cache.known("hash-2", "secret")
    assert not cache.known("hash-1", "other")


def test_verified_passwords_forget_the_least_recently_used() -> None:
    cache = credentials.VerifiedPasswords(size=2)
    cache.remember("a", "1")
    cache.remember("b", "2")
    assert cache.known("a", "1")
    cache.remember("c", "3")
    assert cache.known("a", "1")
    assert not cache.known("b", "2")
    assert cache.known("c", "3")


def test_an_unknown_login_pays_for_one_argon2_verify_like_a_wrong_password(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    calls: list[str] = []
    verify = PasswordHasher.verify

    def counted(self: PasswordHasher, stored: str, plain: str) -> bool:
        calls.append(plain)
        return verify(self, stored, plain)

    monkeypatch.setattr(PasswordHasher, "verify", counted)
    made = credentials.new_password()
    assert not credentials.verify_password(None, "guess")
    assert not credentials.verify_password(made.stored, "guess")
    assert calls == ["guess", "guess"]
