"""BATCH_URL: one line per message from ``linePattern``, the lines of a callback gathered over
the batch window and sent as one request; every message of the request shares its result."""

from __future__ import annotations

from collections.abc import Sequence

from foxden.dispatch import http, signing
from foxden.dispatch.channels.base import Item, Result, Tools
from foxden.domain import deliveries
from foxden.storage.callbacks import Callback


class BatchUrlChannel:
    """Seed 002's BATCH_URL channel."""

    gathers = True

    async def send(self, tools: Tools, callback: Callback, items: Sequence[Item]) -> list[Result]:
        """Send every item's line in one request."""
        settings = callback.settings
        lines = [deliveries.batch_line(settings, item.values, item.kinds) for item in items]
        request = deliveries.batch_request(callback.settings, lines)
        key = ",".join(item.key for item in items)
        headers = signing.headers(request, key, callback.signing_secret, tools.clock() // 1000)
        sent = await http.send(tools.http, request, headers)
        record = request.as_record()
        return [Result(sent.status, sent.info, record, sent.answer) for _ in items]
