"""The one error hierarchy of foxden.

Every layer raises these; each API package maps them to its own status code and body in one
table, so a new error never needs a change in more than one place per API::

    FoxdenError
    ├── InvalidInput              a value is malformed or out of range
    │   ├── PayloadTooLarge       a request body is over the configured cap
    │   └── InvalidPayloadConfig  a payload config breaks the grammar (``position`` says where)
    ├── Unauthenticated           credentials are missing, unknown or expired
    ├── Forbidden                 the principal may not see or change this resource
    ├── NotFound                  no such resource
    ├── Conflict                  the resource exists already or is in the wrong state
    └── PayloadDecodeError        a frame does not fit its payload config (stored on the message)

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


class InvalidPayloadConfig(InvalidInput):
    """The payload config does not follow the custom format grammar."""

    code = "invalid_payload_config"

    def __init__(self, reason: str, position: int) -> None:
        self.position = position
        super().__init__(f"invalid payload config at position {position}: {reason}")


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


class PayloadDecodeError(FoxdenError):
    """The frame cannot be decoded with this payload config."""

    code = "payload_decode_error"
