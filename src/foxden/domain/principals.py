"""Who is calling: one principal per request, whatever API the credentials came through.

A principal belongs to a group and sees that group and its descendants, nothing else; every
query that serves an API request is scoped by ``group_id``.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass


class PrincipalKind(enum.StrEnum):
    """Which kind of credentials authenticated the request."""

    API_USER = "api_user"
    OPERATOR = "operator"


@dataclass(frozen=True, slots=True)
class Principal:
    """An authenticated caller and the root of the group tree it may see."""

    kind: PrincipalKind
    subject: str
    group_id: str
    operator_id: str | None = None
