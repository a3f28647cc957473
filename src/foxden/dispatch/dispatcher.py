"""The dispatcher: claims due outbox rows, delivers them through their channels, records each
attempt, then completes or reschedules the rows.

Delivery is at least once. A row leaves the outbox only in the transaction that records its
last attempt; a dispatcher that dies mid-delivery leaves its claims to fall due again when
their lease ends, and one that stops cleanly hands them back at once.

Deliveries run side by side, up to ``dispatch_concurrency`` in all and
``dispatch_per_callback`` for any one callback: claims skip a callback that has its share in
flight, so a receiver that hangs or fails holds its own slots, never the healthy ones'.
Completions are written together, one transaction for whatever finished meanwhile, as ingest's
group commit does. A callback whose delivery is given up is marked ``dead`` and its device
type's ``alertEmail`` told, once; its first success afterwards revives it, with one more mail.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import Counter
from collections.abc import Callable, Coroutine, Sequence
from dataclasses import dataclass, field
from typing import Any

from foxden.config import Settings
from foxden.dispatch import completion, items, outbound
from foxden.dispatch.channels import CHANNELS, Channel, Result, Tools
from foxden.dispatch.completion import Finished, Pending, Subject
from foxden.dispatch.http import NO_STATUS, Client
from foxden.dispatch.mail import Mailer
from foxden.dispatch.retry import RetryPolicy
from foxden.domain.callbacks import CallbackSubtype, CallbackType, event_name
from foxden.domain.clock import now_ms
from foxden.storage import deliveries as delivery_context
from foxden.storage import outbox
from foxden.storage.callbacks import Callback
from foxden.storage.db import Database
from foxden.storage.outbox import Claimed

log = logging.getLogger(__name__)

# Rows claimed in one statement.
CLAIM_BATCH = 256
# Longest sleep with nothing due: rows queued by another process are seen within it.
POLL_S = 1.0
# The outbox event of DATA_ADVANCED callbacks, whose rows are held back after their creation.
_ADVANCED = event_name(CallbackType.SERVICE, CallbackSubtype.DATA_ADVANCED)
# Most lines one BATCH_URL request carries.
MAX_LINES = 100


@dataclass
class _Gathering:
    """The lines a gathering channel collects for one callback until its window closes."""

    callback: Callback
    channel: Channel
    items: list[Pending] = field(default_factory=list)
    full: asyncio.Event = field(default_factory=asyncio.Event)


def _pending(row: Claimed, callback: Callback, context: delivery_context.Context) -> Pending | None:
    """What a row renders and reports on: its status event for one device, or its message;
    None when that is gone."""
    if row.status_event_id is not None:
        event = context.events.get(row.status_event_id)
        if event is None:
            return None
        subject = Subject(event.device_type_id, row.device_id, event.time, status_event_id=event.id)
        return Pending(row, items.for_event(row, event, callback), subject)
    message = context.messages.get(row.message_id or 0)
    if message is None:
        return None
    subject = Subject(message.device_type_id, message.device_id, message.time, message.id)
    return Pending(row, items.for_message(row, message, callback, context), subject)


class Dispatcher:
    """Works off the outbox of ``db`` until stopped; ``wake`` is set when rows are queued."""

    def __init__(
        self,
        db: Database,
        settings: Settings,
        *,
        wake: asyncio.Event | None = None,
        clock: Callable[[], int] = now_ms,
    ) -> None:
        self._db = db
        self._settings = settings
        self._wake = wake if wake is not None else asyncio.Event()
        self._clock = clock
        self._retry = RetryPolicy(settings.retry_delays_ms)
        self._mailer = Mailer.from_settings(settings)
        self._lease_ms = round(settings.dispatch_lease_s * 1000)
        self._advanced_delay_ms = round(settings.data_advanced_delay_s * 1000)
        self._in_flight: Counter[str] = Counter()
        self._limits: dict[str, int] = {}
        self._held: dict[int, Claimed] = {}
        self._gathering: dict[str, _Gathering] = {}
        self._finished: list[Finished] = []
        self._to_flush = asyncio.Event()
        self._tasks: set[asyncio.Task[None]] = set()
        self._main: asyncio.Task[None] | None = None

    def start(self) -> None:
        """Start working in the background."""
        self._main = asyncio.create_task(self.run(), name="foxden-dispatcher")

    async def stop(self) -> None:
        """Stop: deliveries under way are abandoned, what finished is recorded, and every row
        still claimed is handed back, due at once."""
        if self._main is not None:
            self._main.cancel()
            await asyncio.wait([self._main])
            self._main = None

    async def run(self) -> None:
        """Deliver until cancelled."""
        policy = outbound.OutboundPolicy.parse(self._settings.outbound_allow)
        timeout = self._settings.callback_timeout
        concurrency = self._settings.dispatch_concurrency
        async with outbound.session(
            policy,
            timeout_s=timeout,
            limit=concurrency,
            limit_per_host=min(concurrency, self._settings.dispatch_per_callback * 2),
        ) as session:
            tools = Tools(
                Client(session, policy, timeout, self._settings.callback_response_max_bytes),
                self._mailer,
                self._clock,
            )
            flusher = asyncio.create_task(self._flush_forever(), name="foxden-completions")
            try:
                await self._claim_forever(tools)
            finally:
                await self._wind_down(flusher)

    async def _claim_forever(self, tools: Tools) -> None:
        concurrency = self._settings.dispatch_concurrency
        while True:
            self._wake.clear()
            room = concurrency - len(self._held)
            busy = [cb for cb, n in self._in_flight.items() if n >= self._limits.get(cb, 1)]
            try:
                claimed = await self._claim(tools, room, busy)
                if not claimed:
                    await self._sleep(room > 0 and not busy)
            except Exception:  # the database is away: its claims fall due again later
                log.exception("could not claim callback deliveries; trying again")
                await asyncio.sleep(POLL_S)

    async def _claim(self, tools: Tools, room: int, busy: list[str]) -> list[Claimed]:
        """Claim what is due and there is room for, and start delivering it."""
        if room <= 0:
            return []
        claimed = await self._db.write(
            outbox.claim, self._clock(), self._lease_ms, min(room, CLAIM_BATCH), busy
        )
        if claimed:
            context = await self._db.read(delivery_context.load, claimed)
            for row in claimed:
                self._held[row.id] = row
            self._begin(tools, claimed, context)
        return claimed

    async def _sleep(self, may_claim: bool) -> None:
        """Wait for a wake-up, a freed slot, or the next row to fall due."""
        timeout = POLL_S
        if may_claim:
            due = await self._db.read(outbox.next_due)
            if due is not None:
                timeout = min(max((due - self._clock()) / 1000, 0.005), POLL_S)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._wake.wait(), timeout)

    def _begin(
        self, tools: Tools, claimed: Sequence[Claimed], context: delivery_context.Context
    ) -> None:
        over_share: list[int] = []
        for row in claimed:
            callback = context.callbacks.get(row.callback_id or "")
            channel = CHANNELS.get(callback.channel) if callback is not None else None
            pending = (
                _pending(row, callback, context)
                if callback is not None and callback.enabled
                else None
            )
            if callback is None or channel is None or pending is None:
                self._finish([Finished(row)])
                continue
            limit = self._settings.dispatch_per_callback * (MAX_LINES if channel.gathers else 1)
            self._limits[callback.id] = limit
            if self._in_flight[callback.id] >= limit:
                over_share.append(row.id)  # one claim can hold more than the callback's share
                continue
            self._in_flight[callback.id] += 1
            if channel.gathers:
                self._gather(tools, channel, callback, pending)
            else:
                self._spawn(self._deliver(tools, channel, callback, [pending]))
        if over_share:
            for row_id in over_share:
                del self._held[row_id]
            self._spawn(self._db.write(outbox.release, over_share, self._clock()))

    def _gather(self, tools: Tools, channel: Channel, callback: Callback, pending: Pending) -> None:
        gathering = self._gathering.get(callback.id)
        if gathering is None:
            gathering = _Gathering(callback, channel)
            self._gathering[callback.id] = gathering
            # The window opens when the row fell due: at its creation, or after its delay.
            held = self._advanced_delay_ms if pending.row.event == _ADVANCED else 0
            closes = pending.row.created_at + held + self._settings.callback_batch_window_ms
            self._spawn(self._send_gathered(tools, gathering, closes))
        gathering.items.append(pending)
        if len(gathering.items) >= MAX_LINES:
            del self._gathering[callback.id]
            gathering.full.set()

    async def _send_gathered(self, tools: Tools, gathering: _Gathering, closes: int) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(gathering.full.wait(), max(closes - self._clock(), 0) / 1000)
        if self._gathering.get(gathering.callback.id) is gathering:
            del self._gathering[gathering.callback.id]
        await self._deliver(tools, gathering.channel, gathering.callback, gathering.items)

    async def _deliver(
        self, tools: Tools, channel: Channel, callback: Callback, batch: Sequence[Pending]
    ) -> None:
        try:
            results = await channel.send(tools, callback, [pending.item for pending in batch])
        except Exception as exc:  # a fault in a channel must not lose the delivery
            log.exception("callback %s: the %s channel failed", callback.id, callback.channel)
            results = [Result(NO_STATUS, f"foxden could not send it: {exc}", {}) for _ in batch]
        now = self._clock()
        self._finish(
            [
                Finished(pending.row, callback, pending, result, now)
                for pending, result in zip(batch, results, strict=True)
            ]
        )
        self._in_flight[callback.id] -= len(batch)
        if self._in_flight[callback.id] <= 0:
            del self._in_flight[callback.id]
        self._wake.set()

    def _finish(self, finished: list[Finished]) -> None:
        self._finished.extend(finished)
        self._to_flush.set()

    def _spawn(self, work: Coroutine[Any, Any, None]) -> None:
        task = asyncio.create_task(work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _flush_forever(self) -> None:
        while True:
            await self._to_flush.wait()
            self._to_flush.clear()
            await self._flush()

    async def _flush(self) -> None:
        """Record what finished; on a database error the rows stay claimed, and fall due again."""
        batch, self._finished = self._finished, []
        if not batch:
            return
        try:
            changes = await self._db.write(completion.complete, batch, self._retry, self._clock())
        except Exception:
            log.exception("could not record %d deliveries; they will be retried", len(batch))
            return
        finally:
            for done in batch:
                self._held.pop(done.row.id, None)
        if changes:
            self._spawn(completion.alert(self._mailer, changes))

    async def _wind_down(self, flusher: asyncio.Task[None]) -> None:
        """Abandon deliveries under way, record what finished, hand back the other claims."""
        flusher.cancel()
        tasks = list(self._tasks)
        for task in tasks:
            task.cancel()
        await asyncio.wait([flusher, *tasks])
        await self._flush()
        unfinished = list(self._held)
        self._held.clear()
        if unfinished:
            with contextlib.suppress(Exception):
                await self._db.write(outbox.release, unfinished, self._clock())
