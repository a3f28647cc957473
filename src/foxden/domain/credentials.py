"""Secrets: generation, one-way storage and a cache of checks already paid for.

API passwords and Soracom auth keys are hashed with Argon2 (slow on purpose, so a stolen table is
not a list of passwords). Bearer tokens that foxden itself generates with 256 bits of entropy
(Soracom API tokens, station tokens) are stored as SHA-256 digests instead: brute force is out of
reach either way, and they are checked on every request, where Argon2's cost would cap throughput.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import secrets
from collections import OrderedDict
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_HASHER = PasswordHasher()


@dataclass(frozen=True, slots=True)
class Credential:
    """A freshly generated secret: ``plain`` is shown once, only ``stored`` is kept."""

    plain: str
    stored: str


def new_password() -> Credential:
    """A random API password with its Argon2 hash."""
    plain = secrets.token_hex(16)
    return Credential(plain, hash_password(plain))


def new_token() -> Credential:
    """A random bearer token with its SHA-256 digest."""
    plain = secrets.token_urlsafe(32)
    return Credential(plain, digest(plain))


def hash_password(plain: str) -> str:
    """The Argon2id hash of a password."""
    return _HASHER.hash(plain)


def verify_password(stored: str | None, plain: str) -> bool:
    """Whether ``plain`` matches the Argon2 hash ``stored``. Slow: call it off the event loop.

    With ``stored`` None (no such login) it verifies against a dummy hash all the same and
    answers False: an unknown login costs what a wrong password costs, so timing cannot tell
    which logins exist.
    """
    try:
        return _HASHER.verify(stored or _dummy_hash(), plain) and stored is not None
    except (VerificationError, InvalidHashError):
        return False


@functools.cache
def _dummy_hash() -> str:
    """A hash with the parameters of real ones, of a password nobody knows."""
    return hash_password(secrets.token_hex(16))


def digest(plain: str) -> str:
    """The SHA-256 hex digest of a token."""
    return hashlib.sha256(plain.encode()).hexdigest()


def verify_token(stored: str, plain: str) -> bool:
    """Whether ``plain`` matches the digest ``stored``, in constant time."""
    return hmac.compare_digest(stored, digest(plain))


class VerifiedPasswords:
    """Remembers (stored hash, password) pairs that passed Argon2, so each is paid for once.

    The key holds the stored hash: regenerating a credential changes the hash, so the old
    password stops matching at once. The plain password is kept only as a SHA-256 digest.
    Bounded, least recently used first out.
    """

    def __init__(self, size: int = 10_000) -> None:
        self._size = size
        self._seen: OrderedDict[tuple[str, str], None] = OrderedDict()

    def known(self, stored: str, plain: str) -> bool:
        """Whether this pair was verified before."""
        key = (stored, digest(plain))
        if key in self._seen:
            self._seen.move_to_end(key)
            return True
        return False

    def remember(self, stored: str, plain: str) -> None:
        """Record a pair that just passed verification."""
        self._seen[(stored, digest(plain))] = None
        if len(self._seen) > self._size:
            self._seen.popitem(last=False)
