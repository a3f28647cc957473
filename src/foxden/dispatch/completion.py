"""Completing deliveries: each attempt recorded, its outbox row done with or rescheduled, its
callback marked dead or alive, in one transaction; then the alert mails.

The dispatcher completes what it delivered in groups; a request that asked a downlink callback
itself completes that one delivery the same way.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import Connection

from foxden.dispatch.channels import Item, Result
from foxden.dispatch.mail import Mailer, MailFailed
from foxden.dispatch.retry import RetryPolicy
from foxden.storage import callback_attempts, callbacks, device_types, outbox
from foxden.storage.callback_attempts import Attempt
from foxden.storage.callbacks import Callback
from foxden.storage.outbox import Claimed

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Subject:
    """What a delivery reports on, as its attempts record it: a message, or a status event and
    one device it concerns; ``time`` is the message's or the event's (Unix ms)."""

    device_type_id: str
    device_id: str | None
    time: int
    message_id: int | None = None
    status_event_id: int | None = None


@dataclass(frozen=True, slots=True)
class Pending:
    """A claimed row on its way: what it renders, and what it reports on."""

    row: Claimed
    item: Item
    subject: Subject


@dataclass(frozen=True, slots=True)
class Finished:
    """A delivery done with: ``result`` None for one dropped unsent (its callback or message
    is gone, or the callback disabled)."""

    row: Claimed
    callback: Callback | None = None
    pending: Pending | None = None
    result: Result | None = None
    time: int = 0


@dataclass(frozen=True, slots=True)
class Change:
    """A callback that died or came back, and whom to tell."""

    callback: Callback
    dead: bool
    alert_email: str | None


def complete(
    conn: Connection, finished: Sequence[Finished], retry: RetryPolicy, now: int
) -> list[Change]:
    """Record the attempts; complete, reschedule or give up each row; mark callbacks dead or
    alive. The changes of state, for the alerts."""
    attempts: list[Attempt] = []
    done: list[int] = []
    retries: list[tuple[int, int, int]] = []
    changes: list[Change] = []
    died: set[str] = set()
    revived: set[str] = set()
    for end in finished:
        if end.result is None or end.callback is None or end.pending is None:
            done.append(end.row.id)
            continue
        callback, result, subject = end.callback, end.result, end.pending.subject
        made = end.row.attempts + 1
        due = None if result.delivered else retry.next_due(made, now)
        given_up = not result.delivered and due is None
        attempts.append(
            Attempt(
                callback_id=callback.id,
                channel=callback.channel,
                device_type_id=subject.device_type_id,
                event_time=subject.time,
                time=end.time,
                status=result.status,
                info=result.info,
                request=result.request,
                parameters=end.pending.item.values,
                failed=given_up,
                device_id=subject.device_id,
                message_id=subject.message_id,
                status_event_id=subject.status_event_id,
            )
        )
        if due is None:
            done.append(end.row.id)
        else:
            retries.append((end.row.id, due, made))
        if given_up and callbacks.set_dead(conn, callback.id, True):
            changes.append(Change(callback, True, _alert_email(conn, callback)))
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
            changes.append(Change(callback, False, _alert_email(conn, callback)))
    callback_attempts.record_all(conn, attempts)
    outbox.done(conn, done)
    outbox.retry(conn, retries)
    return changes


def _alert_email(conn: Connection, callback: Callback) -> str | None:
    """Where the callback's device type wants its alerts, read only when there is one to send."""
    owner = device_types.get(conn, callback.device_type_id)
    return owner.alert_email if owner is not None else None


async def alert(mailer: Mailer, changes: Sequence[Change]) -> None:
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
