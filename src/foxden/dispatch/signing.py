"""The headers foxden adds to every callback request: an idempotency key and, for a callback
with a signing secret, an HMAC-SHA256 signature a receiver checks to know the request is ours.

The signature header reads ``t=<unix seconds>,v1=<hex>``, the hex digest being
HMAC-SHA256(secret, ``"<t>.<METHOD>.<url>.<body>"``), the body empty for a GET. The timestamp
lets a receiver refuse replays older than it tolerates.
"""

from __future__ import annotations

import hashlib
import hmac

from foxden.domain.deliveries import HttpRequest

IDEMPOTENCY_HEADER = "Idempotency-Key"
SIGNATURE_HEADER = "X-Foxden-Signature"


def signature(secret: str, request: HttpRequest, timestamp: int) -> str:
    """The signature header's value for ``request`` sent at ``timestamp``."""
    signed = f"{timestamp}.{request.method}.{request.url}.{request.body or ''}"
    digest = hmac.new(secret.encode(), signed.encode(), hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


def headers(request: HttpRequest, key: str, secret: str | None, timestamp: int) -> dict[str, str]:
    """The request's own headers with foxden's added."""
    added = {**request.headers, IDEMPOTENCY_HEADER: key}
    if secret:
        added[SIGNATURE_HEADER] = signature(secret, request, timestamp)
    return added
