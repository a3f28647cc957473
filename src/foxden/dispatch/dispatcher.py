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

from sqlalchemy import Connection

from foxden.config import Settings
from foxden.dispatch import outbound
from foxden.dispatch.channels import CHANNELS, Channel, Item, Result, Tools
from foxden.dispatch.http import NO_STATUS, Client
from foxden.dispatch.mail import Mailer, MailFailed
from foxden.dispatch.retry import RetryPolicy
from foxden.domain import deliveries
from foxden.domain.clock import now_ms
from foxden.domain.messages import Message, Reception
from foxden.storage import callback_attempts, callbacks, device_types, outbox
from foxden.storage import deliveries as delivery_context
from foxden.storage.callback_attempts import Attempt
from foxden.storage.callbacks import Callback
from foxden.storage.db import Database
from foxden.storage.outbox import Claimed

log = logging.getLogger(__name__)

# Rows claimed in one statement.
CLAIM_BATCH = 256
# Longest sleep with nothing due: rows queued by another process are seen within it.
POLL_S = 1.0
# Most lines one BATCH_URL request carries.
MAX_LINES = 100


@dataclass(frozen=True, slots=True)
class _Pending:
    """A claimed row on its way: what it renders, and the message it reports."""

    row: Claimed
    item: Item
    message: Message


@dataclass(frozen=True, slots=True)
class _Finished:
    """A delivery done with: ``result`` None for one dropped unsent (its callback or message
    is gone, or the callback disabled)."""

    row: Claimed
    callback: Callback | None = None
    pending: _Pending | None = None
    result: Result | None = None
    time: int = 0


@dataclass
class _Gathering:
    """The lines a gathering channel collects for one callback until its window closes."""

    callback: Callback
    channel: Channel
    items: list[_Pending] = field(default_factory=list)
    full: asyncio.Event = field(default_factory=asyncio.Event)


@dataclass(frozen=True, slots=True)
class _Change:
    """A callback that died or came back, and whom to tell."""

    callback: Callback
    dead: bool
    alert_email: str | None


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
        self._in_flight: Counter[str] = Counter()
        self._limits: dict[str, int] = {}
        self._held: dict[int, Claimed] = {}
        self._gathering: dict[str, _Gathering] = {}
        self._finished: list[_Finished] = []
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
            message = context.messages.get(row.message_id)
            channel = CHANNELS.get(callback.channel) if callback is not None else None
            if callback is None or message is None or channel is None or not callback.enabled:
                self._finish([_Finished(row)])
                continue
            pending = _Pending(row, self._item(row, message, callback, context), message)
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

    def _item(
        self,
        row: Claimed,
        message: Message,
        callback: Callback,
        context: delivery_context.Context,
    ) -> Item:
        reception = _reception(message, row.station_id)
        position = context.positions.get(reception.station_id) if reception else None
        heard = deliveries.Heard(
            message,
            reception,
            station_position=(position.lat, position.lng) if position else None,
            duplicate=row.duplicate,
            link_window=context.link_windows.get(message.device_id, ()),
        )
        key = f"{message.id}:{callback.id}"
        if row.duplicate and row.station_id:
            key = f"{key}:{row.station_id}"
        return Item(
            deliveries.variables(heard, callback.payload_config),
            deliveries.kinds(
                callback.callback_type, callback.callback_subtype, callback.payload_config
            ),
            key,
        )

    def _gather(
        self, tools: Tools, channel: Channel, callback: Callback, pending: _Pending
    ) -> None:
        gathering = self._gathering.get(callback.id)
        if gathering is None:
            gathering = _Gathering(callback, channel)
            self._gathering[callback.id] = gathering
            closes = pending.row.created_at + self._settings.callback_batch_window_ms
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
        self, tools: Tools, channel: Channel, callback: Callback, batch: Sequence[_Pending]
    ) -> None:
        try:
            results = await channel.send(tools, callback, [pending.item for pending in batch])
        except Exception as exc:  # a fault in a channel must not lose the delivery
            log.exception("callback %s: the %s channel failed", callback.id, callback.channel)
            results = [Result(NO_STATUS, f"foxden could not send it: {exc}", {}) for _ in batch]
        now = self._clock()
        self._finish(
            [
                _Finished(pending.row, callback, pending, result, now)
                for pending, result in zip(batch, results, strict=True)
            ]
        )
        self._in_flight[callback.id] -= len(batch)
        if self._in_flight[callback.id] <= 0:
            del self._in_flight[callback.id]
        self._wake.set()

    def _finish(self, finished: list[_Finished]) -> None:
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
            changes = await self._db.write(_complete, batch, self._retry, self._clock())
        except Exception:
            log.exception("could not record %d deliveries; they will be retried", len(batch))
            return
        finally:
            for done in batch:
                self._held.pop(done.row.id, None)
        if changes:
            self._spawn(_alert(self._mailer, changes))

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


def _reception(message: Message, station_id: str | None) -> Reception | None:
    """The reception a delivery reports: the named station's, else the first one's."""
    if station_id is not None:
        for reception in message.receptions:
            if reception.station_id == station_id:
                return reception
    return message.receptions[0] if message.receptions else None


def _complete(
    conn: Connection, finished: Sequence[_Finished], retry: RetryPolicy, now: int
) -> list[_Change]:
    """Record the attempts; complete, reschedule or give up each row; mark callbacks dead or
    alive. The changes of state, for the alerts."""
    attempts: list[Attempt] = []
    done: list[int] = []
    retries: list[tuple[int, int, int]] = []
    changes: list[_Change] = []
    died: set[str] = set()
    revived: set[str] = set()
    for end in finished:
        if end.result is None or end.callback is None or end.pending is None:
            done.append(end.row.id)
            continue
        callback, result, message = end.callback, end.result, end.pending.message
        made = end.row.attempts + 1
        due = None if result.delivered else retry.next_due(made, now)
        given_up = not result.delivered and due is None
        attempts.append(
            Attempt(
                callback_id=callback.id,
                channel=callback.channel,
                device_type_id=message.device_type_id,
                event_time=message.time,
                time=end.time,
                status=result.status,
                info=result.info,
                request=result.request,
                parameters=end.pending.item.values,
                failed=given_up,
                device_id=message.device_id,
                message_id=message.id,
            )
        )
        if due is None:
            done.append(end.row.id)
        else:
            retries.append((end.row.id, due, made))
        if given_up and callbacks.set_dead(conn, callback.id, True):
            changes.append(_Change(callback, True, _alert_email(conn, callback)))
            died.add(callback.id)
            revived.discard(callback.id)
        elif (
            result.delivered
            and (callback.dead or callback.id in died)
            and callback.id not in revived
            and callbacks.set_dead(conn, callback.id, False)
        ):
            revived.add(callback.id)
            died.discard(callback.id)
            changes.append(_Change(callback, False, _alert_email(conn, callback)))
    callback_attempts.record_all(conn, attempts)
    outbox.done(conn, done)
    outbox.retry(conn, retries)
    return changes


def _alert_email(conn: Connection, callback: Callback) -> str | None:
    """Where the callback's device type wants its alerts, read only when there is one to send."""
    owner = device_types.get(conn, callback.device_type_id)
    return owner.alert_email if owner is not None else None


async def _alert(mailer: Mailer, changes: Sequence[_Change]) -> None:
    """Tell each device type's alert address that a callback died or came back."""
    for change in changes:
        if not change.alert_email:
            continue
        callback = change.callback
        where = callback.settings.get("url") or callback.settings.get("recipient") or ""
        if change.dead:
            subject = f"foxden: callback {callback.id} is dead"
            text = (
                f"The {callback.channel} callback {callback.id} of device type"
                f" {callback.device_type_id} ({where}) failed every retry: a message could not"
                " be delivered. The failed-callback log has the request and the answer."
            )
        else:
            subject = f"foxden: callback {callback.id} works again"
            text = (
                f"The {callback.channel} callback {callback.id} of device type"
                f" {callback.device_type_id} ({where}) delivered a message again."
            )
        try:
            await mailer.send(change.alert_email, subject, text)
        except MailFailed as failure:
            log.warning("could not mail %s about %s: %s", change.alert_email, callback.id, failure)
