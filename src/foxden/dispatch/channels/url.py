"""URL: one HTTP request per message, its url, headers and body rendered from the message."""

from __future__ import annotations

from collections.abc import Sequence

from foxden.dispatch import http, signing
from foxden.dispatch.channels.base import Item, Result, Tools, each
from foxden.domain import deliveries
from foxden.storage.callbacks import Callback


class UrlChannel:
    """Seed 002's URL channel."""

    gathers = False

    async def send(self, tools: Tools, callback: Callback, items: Sequence[Item]) -> list[Result]:
        """Send each item's request, side by side."""
        return await each(self._one, tools, callback, items)

    async def _one(self, tools: Tools, callback: Callback, item: Item) -> Result:
        request = deliveries.http_request(callback.settings, item.values, item.kinds)
        headers = signing.headers(request, item.key, callback.signing_secret, tools.clock() // 1000)
        sent = await http.send(tools.http, request, headers)
        return Result(sent.status, sent.info, request.as_record(), sent.answer)
