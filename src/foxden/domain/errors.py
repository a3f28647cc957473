"""The one error hierarchy of foxden.

Every layer raises these; each API package maps them to its own status code and body in one
table, so a new error never needs a change in more than one place per API::

    FoxdenError
    ├── InvalidInput          a value is malformed or out of range
    │   └── PayloadTooLarge   a request body is over the configured cap
    ├── Unauthenticated       credentials are missing, unknown or expired
    ├── Forbidden             the principal may not see or change this resource
    ├── NotFound              no such resource
    └── Conflict              the resource exists already or is in the wrong state

A class's docstring is its default message; ``code`` is a stable snake_case noun.
"""

from __future__ import annotations


class FoxdenError(Exception):
    """An error occurred."""

    code = "error"

    def __init__(self, message: str | None = None) -> None:
        self.message = message or (self.__doc__ or "").strip()
        super().__init__(self.message)


class InvalidInput(FoxdenError):
    """Some required parameters are missing or their value is not valid."""

    code = "invalid_input"


class PayloadTooLarge(InvalidInput):
    """The request body is larger than the server accepts."""

    code = "payload_too_large"


class Unauthenticated(FoxdenError):
    """Authentication credentials were not present or are invalid."""

    code = "unauthenticated"


class Forbidden(FoxdenError):
    """Access denied: the request is not authorized with these credentials."""

    code = "forbidden"


class NotFound(FoxdenError):
    """The resource was not found."""

    code = "not_found"


class Conflict(FoxdenError):
    """The resource already exists or is in a state that forbids this action."""

    code = "conflict"
