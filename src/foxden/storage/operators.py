"""Soracom operators (each one a top-level group), their auth keys and their API tokens."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import ColumnElement, Connection, delete, insert, select

from foxden.domain.clock import now_ms
from foxden.domain.errors import Conflict
from foxden.domain.ids import new_api_key, new_auth_key_id, new_operator_id
from foxden.storage import groups
from foxden.storage.tables import api_tokens, auth_keys, operators


@dataclass(frozen=True, slots=True)
class Operator:
    """A stored operator; its password, if any, exists only as a hash."""

    id: str
    group_id: str
    email: str | None
    password_hash: str | None


@dataclass(frozen=True, slots=True)
class ApiToken:
    """A stored API token: ``token_digest`` is the SHA-256 of the token handed out."""

    api_key: str
    operator_id: str
    token_digest: str
    expires_at: int


def create(
    conn: Connection,
    group_id: str,
    *,
    email: str | None = None,
    password_hash: str | None = None,
) -> Operator:
    """Make the top-level group ``group_id`` an operator."""
    if groups.top_level_of(conn, group_id) != group_id:
        raise Conflict(f"group {group_id} is not a top-level group")
    if conn.execute(select(operators.c.id).where(operators.c.group_id == group_id)).first():
        raise Conflict(f"group {group_id} is an operator already")
    operator = Operator(new_operator_id(), group_id, email, password_hash)
    conn.execute(
        insert(operators).values(
            id=operator.id,
            group_id=group_id,
            email=email,
            password_hash=password_hash,
            created_at=now_ms(),
        )
    )
    return operator


def get(conn: Connection, operator_id: str) -> Operator | None:
    """The operator with this id, or None."""
    return _one(conn, operators.c.id == operator_id)


def find_by_email(conn: Connection, email: str) -> Operator | None:
    """The operator whose root login is ``email``, or None."""
    return _one(conn, operators.c.email == email)


def add_auth_key(conn: Connection, operator_id: str, secret_hash: str) -> str:
    """Store a new auth key of an operator and return its id."""
    key_id = new_auth_key_id()
    conn.execute(
        insert(auth_keys).values(
            id=key_id, operator_id=operator_id, secret_hash=secret_hash, created_at=now_ms()
        )
    )
    return key_id


def auth_key_ids(conn: Connection, operator_id: str) -> list[str]:
    """The ids of an operator's auth keys, oldest first."""
    return list(
        conn.execute(
            select(auth_keys.c.id)
            .where(auth_keys.c.operator_id == operator_id)
            .order_by(auth_keys.c.created_at, auth_keys.c.id)
        ).scalars()
    )


def get_auth_key(conn: Connection, key_id: str) -> tuple[str, str] | None:
    """The (operator id, secret hash) of an auth key, or None."""
    row = conn.execute(
        select(auth_keys.c.operator_id, auth_keys.c.secret_hash).where(auth_keys.c.id == key_id)
    ).first()
    return (row[0], row[1]) if row else None


def issue_token(conn: Connection, operator_id: str, token_digest: str, lifetime: int) -> str:
    """Store an API token valid for ``lifetime`` seconds, dropping this operator's expired
    ones; return its API key."""
    now = now_ms()
    conn.execute(
        delete(api_tokens).where(
            api_tokens.c.operator_id == operator_id, api_tokens.c.expires_at <= now
        )
    )
    api_key = new_api_key()
    conn.execute(
        insert(api_tokens).values(
            api_key=api_key,
            token_digest=token_digest,
            operator_id=operator_id,
            expires_at=now + lifetime * 1000,
            created_at=now,
        )
    )
    return api_key


def get_token(conn: Connection, api_key: str) -> ApiToken | None:
    """The API token stored under ``api_key``, or None."""
    row = conn.execute(
        select(
            api_tokens.c.api_key,
            api_tokens.c.operator_id,
            api_tokens.c.token_digest,
            api_tokens.c.expires_at,
        ).where(api_tokens.c.api_key == api_key)
    ).first()
    return ApiToken(*row) if row else None


def revoke_token(conn: Connection, api_key: str) -> None:
    """Delete an API token."""
    conn.execute(delete(api_tokens).where(api_tokens.c.api_key == api_key))


def _one(conn: Connection, where: ColumnElement[bool]) -> Operator | None:
    row = conn.execute(
        select(
            operators.c.id, operators.c.group_id, operators.c.email, operators.c.password_hash
        ).where(where)
    ).first()
    return Operator(*row) if row else None
