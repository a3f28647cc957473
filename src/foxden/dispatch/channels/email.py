"""EMAIL: one mail per message, its recipient, subject and text rendered from the message."""

from __future__ import annotations

from collections.abc import Sequence

from foxden.dispatch.channels.base import Item, Result, Tools, each
from foxden.dispatch.http import NO_STATUS
from foxden.dispatch.mail import MailFailed
from foxden.domain import deliveries
from foxden.storage.callbacks import Callback

# The status of a mail the SMTP server took.
SENT = 200


class EmailChannel:
    """Seed 002's EMAIL channel."""

    gathers = False

    async def send(self, tools: Tools, callback: Callback, items: Sequence[Item]) -> list[Result]:
        """Send each item's mail."""
        return await each(self._one, tools, callback, items)

    async def _one(self, tools: Tools, callback: Callback, item: Item) -> Result:
        mail = deliveries.mail(callback.settings, item.values, item.kinds)
        try:
            answer = await tools.mailer.send(mail.recipient, mail.subject, mail.message)
        except MailFailed as failure:
            return Result(NO_STATUS, str(failure), mail.as_record())
        return Result(SENT, answer, mail.as_record())
