"""Asking a device type's downlink callback while the station waits (downlinkMode CALLBACK).

The frame's transaction queued the callback's delivery as already claimed by the request that
carries the frame. Here it is sent at once, within what is left of the station's receive window,
the answer is read into a downlink and handed back; then the attempt, the end of the delivery
(or its retry, when the receiver failed) and the message's downlink are recorded in one
transaction. A process that dies before that leaves the row to fall due for the dispatcher when
its claim ends: the receiver gets the message again (at least once), too late for its answer to
reach the device.

A station that lost its answer resends the frame and gets the first answer again, never a second
call: while a request of this process is asking (or recording), the resend waits for its
answer; once recorded, the message holds it. A downlink still pending that no request here is
asking for is another process's to record: the resend waits for that record within its own
window, and gets ``no_answer`` when none comes (the process that asked died with the answer).
"""

from __future__ import annotations

import asyncio
import dataclasses
import time
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection

from foxden.config import Settings
from foxden.dispatch import completion, items, outbound
from foxden.dispatch.channels import CHANNELS, Result, Tools
from foxden.dispatch.completion import Finished, Pending, Subject
from foxden.dispatch.http import Client
from foxden.dispatch.mail import Mailer
from foxden.dispatch.retry import RetryPolicy
from foxden.domain import downlink
from foxden.domain.clock import now_ms
from foxden.domain.downlink import InvalidAnswer, Status
from foxden.domain.messages import Message
from foxden.storage import deliveries as delivery_context
from foxden.storage import device_days, messages
from foxden.storage.callbacks import Callback
from foxden.storage.db import Database
from foxden.storage.outbox import Claimed


@dataclass(frozen=True, slots=True)
class Answered:
    """What the downlink callback's answer came to: 8 bytes as hex, or why there are none."""

    status: Status
    data: str | None = None
    info: str | None = None


class DownlinkCalls:
    """Asks downlink callbacks through ``client``, which must not be shared with a dispatcher
    that might hold every connection."""

    def __init__(
        self,
        db: Database,
        settings: Settings,
        client: Client,
        *,
        clock: Callable[[], int] = now_ms,
    ) -> None:
        self._db = db
        self._client = client
        self._mailer = Mailer.from_settings(settings)
        self._retry = RetryPolicy(settings.retry_delays_ms)
        self._clock = clock
        # Records (and alert mails) still being written.
        self._pending: set[asyncio.Task[None]] = set()
        # The answers of the asks under way, by message, until recorded: for resends.
        self._asking: dict[int, asyncio.Future[Answered]] = {}

    async def ask(
        self,
        callback: Callback,
        row: Claimed,
        context: delivery_context.Context,
        budget_s: float,
    ) -> Answered:
        """Send the message of ``row`` to ``callback`` and read its downlink, within
        ``budget_s`` seconds. What came of it is recorded after the answer is returned: the
        station need not wait for that commit, and a crash before it only leaves the delivery
        to the dispatcher."""
        message = context.messages.get(row.message_id or 0)
        if message is None:  # deleted meanwhile: nothing to ask about, nothing to retry
            return Answered(Status.NO_ANSWER, info="The message was deleted.")
        item = items.for_message(row, message, callback, context)
        client = dataclasses.replace(self._client, timeout_s=max(budget_s, 0.001))
        tools = Tools(client, self._mailer, self._clock)
        answering: asyncio.Future[Answered] = asyncio.get_running_loop().create_future()
        self._asking[message.id] = answering
        try:
            [result] = await CHANNELS[callback.channel].send(tools, callback, [item])
        except BaseException:
            del self._asking[message.id]
            answering.set_result(_LOST)
            raise
        answered = _read(message.device_id, result)
        answering.set_result(answered)
        now = self._clock()
        subject = Subject(message.device_type_id, message.device_id, message.time, message.id)
        finished = Finished(row, callback, Pending(row, item, subject), result, now)
        self._spawn(self._record(finished, answered, message, now))
        return answered

    async def resent(self, message_id: int, budget_s: float) -> Answered:
        """For a resend of a frame whose first report asked its downlink callback: that ask's
        answer, waited for at most ``budget_s`` seconds, or as recorded on the message."""
        answering = self._asking.get(message_id)
        if answering is not None:
            try:
                return await asyncio.wait_for(asyncio.shield(answering), max(budget_s, 0))
            except TimeoutError:
                return Answered(Status.NO_ANSWER, info="The downlink callback was late.")
        # Not asked here: recorded since the resend was read, or to be by the process asking.
        deadline = time.monotonic() + budget_s
        while True:
            recorded = await self._db.read(messages.get, message_id)
            if recorded is None or recorded.downlink_status is None:  # deleted meanwhile
                return _LOST
            if recorded.downlink_status != Status.PENDING:
                return Answered(Status(recorded.downlink_status), recorded.downlink_data)
            left = deadline - time.monotonic()
            if left <= 0:
                return _LOST
            await asyncio.sleep(min(_POLL_S, left))

    async def _record(
        self, finished: Finished, answered: Answered, message: Message, now: int
    ) -> None:
        try:
            changes = await self._db.write(_write, finished, answered, message, self._retry, now)
        finally:
            del self._asking[message.id]
        if changes:
            await completion.alert(self._mailer, changes)

    def _spawn(self, work: Coroutine[Any, Any, None]) -> None:
        task = asyncio.create_task(work)
        self._pending.add(task)
        task.add_done_callback(self._pending.discard)

    @classmethod
    def open(cls, db: Database, settings: Settings) -> DownlinkCalls:
        """Calls through a pool of their own, policed as the dispatcher's (call it inside the
        running event loop; ``close`` closes the pool)."""
        policy = outbound.OutboundPolicy.parse(settings.outbound_allow)
        session = outbound.session(
            policy,
            timeout_s=settings.downlink_timeout,
            limit_per_host=settings.dispatch_per_callback,
        )
        client = Client(
            session, policy, settings.downlink_timeout, settings.callback_response_max_bytes
        )
        return cls(db, settings, client)

    async def close(self) -> None:
        """Let the records and alert mails under way finish, then close the pool."""
        if self._pending:
            await asyncio.wait(self._pending)
        await self._client.session.close()


# How often a resend reads whether another process recorded the answer it waits for.
_POLL_S = 0.1

# The answer to a resend whose first request ended without one (it was cancelled, or its
# process died after the frame's commit).
_LOST = Answered(Status.NO_ANSWER, info="The request that asked the downlink callback ended.")


def _read(device_id: str, result: Result) -> Answered:
    """The downlink in a receiver's answer; a failed delivery gives none."""
    if not result.delivered:
        return Answered(Status.NO_ANSWER, info=f"HTTP {result.status}: {result.info or ''}".strip())
    try:
        data = downlink.parse_answer(device_id, result.status, result.answer)
    except InvalidAnswer as exc:
        return Answered(Status.INVALID, info=str(exc))
    if data is None:
        return Answered(Status.NO_DATA)
    return Answered(Status.SENT, data.hex())


def _write(
    conn: Connection,
    finished: Finished,
    answered: Answered,
    message: Message,
    retry: RetryPolicy,
    now: int,
) -> list[completion.Change]:
    changes = completion.complete(conn, [finished], retry, now)
    messages.set_downlink(conn, message.id, answered.status, answered.data, answered.info)
    if answered.data is not None:
        device_days.count_downlink(conn, message.device_id, message.time)
    return changes
