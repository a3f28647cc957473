"""Harvest Data entries: a stored frame as Soracom Harvest shows a Sigfox device's data.

An entry is a view of a message written while the device's group had Harvest on, not a copy:
its ``content`` is the JSON that Soracom Air for Sigfox forwards for a frame (``device``,
``time`` in seconds, ``data`` in hex, ``seqNumber`` and ``lqi``, the numbers as strings), with
the fields foxden decoded from the payload and ``binaryParserEnabled`` when there are some.
Soracom's ``countryCode`` is left out: foxden's network has none.
"""

from __future__ import annotations

import json

from foxden.domain.deliveries import OPERATOR_NAME
from foxden.domain.messages import Message

RESOURCE_TYPE = "SigfoxDevice"
CONTENT_TYPE = "application/json"


def content(message: Message) -> str:
    """The entry's ``content``: the frame as Soracom Air for Sigfox describes it."""
    body: dict[str, object] = {
        "device": message.device_id,
        "time": str(message.time // 1000),
        "data": message.data,
        "seqNumber": str(message.seq_number),
    }
    if message.link_quality is not None:
        body["lqi"] = message.link_quality.value.title()
    body["operatorName"] = OPERATOR_NAME
    if message.decoded:
        # The frame's own fields win over decoded fields of the same name.
        body.update({name: value for name, value in message.decoded.items() if name not in body})
        body["binaryParserEnabled"] = True
    return json.dumps(body, separators=(",", ":"))
