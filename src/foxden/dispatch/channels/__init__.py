"""The channels a callback delivers through, one module each, registered in :data:`CHANNELS`."""

from __future__ import annotations

from foxden.dispatch.channels.base import Channel, Item, Result, Tools
from foxden.dispatch.channels.batch_url import BatchUrlChannel
from foxden.dispatch.channels.email import EmailChannel
from foxden.dispatch.channels.url import UrlChannel
from foxden.domain.callbacks import Channel as ChannelName

__all__ = ["CHANNELS", "Channel", "Item", "Result", "Tools"]

CHANNELS: dict[str, Channel] = {
    ChannelName.URL: UrlChannel(),
    ChannelName.BATCH_URL: BatchUrlChannel(),
    ChannelName.EMAIL: EmailChannel(),
}
