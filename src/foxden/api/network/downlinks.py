"""The downlink a station (or Sigfox Cloud) takes back in the answer to a frame with ``ack``.

Ingest decided it in the frame's transaction; in CALLBACK mode the downlink callback is asked
now, within what is left of ``downlink_timeout`` since the request arrived, so the station
still has its receive window.
"""

from __future__ import annotations

import time

from pydantic import BaseModel, Field

from foxden.api.runtime import Runtime
from foxden.domain.downlink import Status
from foxden.ingest.pipeline import Accepted


class DownlinkAnswer(BaseModel):
    """What became of the frame's request for a downlink."""

    status: Status = Field(
        description=(
            "sent: `data` goes to the device; no_data: nothing to send; no_answer: the downlink"
            " callback failed or was late; invalid: it answered something else than a downlink;"
            " not_configured: the device type has no downlink to give."
        )
    )
    data: str | None = Field(
        None, description="The 8 bytes to send, as 16 hex digits.", pattern="^[0-9a-f]{16}$"
    )


async def answer(runtime: Runtime, accepted: Accepted, started: float) -> DownlinkAnswer | None:
    """The downlink for an accepted frame, None when it asked for none (or was a duplicate);
    ``started`` is the request's arrival, on the monotonic clock."""
    decided = accepted.downlink
    calls = runtime.downlink_calls
    if decided is None:
        return None
    if decided.status is not Status.PENDING or calls is None:
        return DownlinkAnswer(status=decided.status, data=decided.data)
    budget = runtime.settings.downlink_timeout - (time.monotonic() - started)
    ask = decided.ask
    if ask is None:  # a resend: its first report's request asks (or asked) the callback
        called = await calls.resent(accepted.message_id, budget)
    else:
        called = await calls.ask(ask.callback, ask.row, ask.context, budget)
    return DownlinkAnswer(status=called.status, data=called.data)
