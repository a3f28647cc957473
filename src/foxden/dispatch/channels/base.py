"""What every channel module offers: send a callback's deliveries, one result for each."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from foxden.dispatch.http import Client
from foxden.dispatch.mail import Mailer
from foxden.domain.callbacks import ValueKind
from foxden.domain.deliveries import Value
from foxden.storage.callbacks import Callback


@dataclass(frozen=True, slots=True)
class Item:
    """One delivery to make: the variables it renders and its idempotency key."""

    values: dict[str, Value]
    kinds: dict[str, ValueKind]
    key: str


@dataclass(frozen=True, slots=True)
class Result:
    """What became of one delivery: the status (HTTP, 600 when none; 200 for a mail sent), the
    answer or error, and what was sent, as the attempt log keeps it."""

    status: int
    info: str | None
    request: dict[str, Any]
    # The receiver's answer as read, which a downlink callback's downlink is parsed from.
    answer: str = ""

    @property
    def delivered(self) -> bool:
        """Whether the receiver took it."""
        return 200 <= self.status < 300


@dataclass(frozen=True, slots=True)
class Tools:
    """What channels send with."""

    http: Client
    mailer: Mailer
    clock: Callable[[], int]


class Channel(Protocol):
    """A way of delivering. ``gathers``: whether one request carries many deliveries, which the
    dispatcher then gathers per callback for the batch window before sending."""

    gathers: bool

    async def send(self, tools: Tools, callback: Callback, items: Sequence[Item]) -> list[Result]:
        """Deliver ``items`` for ``callback``; one result per item, in order."""
        ...


async def each(
    send: Callable[[Tools, Callback, Item], Awaitable[Result]],
    tools: Tools,
    callback: Callback,
    items: Sequence[Item],
) -> list[Result]:
    """Send every item on its own, side by side: the channels with one request per message."""
    return list(await asyncio.gather(*(send(tools, callback, item) for item in items)))
