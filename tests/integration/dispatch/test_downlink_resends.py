"""A resend of a frame whose downlink the device type's callback gives (CALLBACK mode): it gets
the answer of the first report's call to the receiver, never a call of its own."""

from __future__ import annotations

import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest

from foxden.config import Settings
from foxden.domain.downlink import Status
from foxden.storage import messages
from tests.integration.dispatch.conftest import attempts_of
from tests.integration.dispatch.test_downlink_answers import answer_for, downlink_callback, stored
from tests.support import factories
from tests.support.factories import Fleet
from tests.support.server import Restartable
from tests.support.sinks import HttpSink
from tests.support.uplinks import uplink

DATA = "deadbeefcafebabe"


@pytest.fixture
def settings(settings: Settings) -> Settings:
    # A resend that waits in vain for a dead process's answer waits this long.
    return settings.model_copy(update={"downlink_timeout": 3.0})


@pytest.fixture
def node(settings: Settings) -> Iterator[Restartable]:
    with Restartable(settings) as running:
        yield running


@pytest.fixture
def made(node: Restartable, sink: HttpSink) -> Fleet:
    """A fleet whose device type asks the sink for its downlinks; the sink gives ``DATA``."""
    made = factories.fleet(node.live, callbacks=())
    with httpx.Client(base_url=node.live.url, timeout=30) as client:
        downlink_callback(client, made, f"{sink.url}/bidir")
    sink.answer(200, answer_for(made.device_ids[0], DATA.upper()), "application/json")
    return made


def report(node: Restartable, made: Fleet) -> dict[str, Any]:
    """The first station's report of the frame with ``ack``: the answer."""
    with httpx.Client(base_url=node.live.url, timeout=30) as client:
        return uplink(client, made, seq=1, ack=True)


def asked_twice(first: Restartable, second: Restartable, made: Fleet, sink: HttpSink) -> Any:
    """The answers to the frame reported to ``first`` and resent to ``second`` while the
    receiver holds the call the first report made; the expected answer."""
    sink.hang(times=1)
    with ThreadPoolExecutor(2) as pool:
        asking = pool.submit(report, first, made)
        sink.wait_for(1)
        resent = pool.submit(report, second, made)
        # Let the resend reach the server while the receiver holds the first call; had it come
        # after the answer, it would read the answer recorded: the same either way.
        time.sleep(0.2)
        sink.answer(200, answer_for(made.device_ids[0], DATA), "application/json")
        answers = asking.result(), resent.result()
    expected = {
        "messageId": answers[0]["messageId"],
        "device": made.device_ids[0],
        "duplicate": False,
        "forwarded": True,
        "downlink": {"status": "sent", "data": DATA},
    }
    return answers, expected


def test_a_resend_while_the_receiver_is_asked_waits_for_its_answer(
    node: Restartable, made: Fleet, sink: HttpSink
) -> None:
    answers, expected = asked_twice(node, node, made, sink)

    assert answers == (expected, expected)
    assert stored(node.live, expected["messageId"]) == ("sent", DATA, None)
    node.restart()
    assert report(node, made) == expected
    # One call to the receiver, recorded once: the resends asked nothing.
    assert len(sink.requests) == 1
    assert [a.status for a in attempts_of(node.live, expected["messageId"])] == [200]


def test_a_resend_after_the_asking_process_died_gets_no_answer(
    node: Restartable, made: Fleet, sink: HttpSink
) -> None:
    first = report(node, made)
    assert first["downlink"] == {"status": "sent", "data": DATA}
    message_id = first["messageId"]
    stored(node.live, message_id)
    # As if the process had been killed while asking: the message's downlink stays pending.
    node.live.write(messages.set_downlink, message_id, Status.PENDING, None)
    node.restart()

    again = report(node, made)

    assert again == {**first, "downlink": {"status": "no_answer"}}
    assert len(sink.requests) == 1
    message = node.live.read(messages.get, message_id)
    assert message is not None and message.downlink_status == "pending"


def test_a_resend_to_another_process_waits_for_the_answer_the_asking_one_records(
    settings: Settings, node: Restartable, made: Fleet, sink: HttpSink
) -> None:
    with Restartable(settings) as other:
        answers, expected = asked_twice(node, other, made, sink)

    assert answers == (expected, expected)
    assert len(sink.requests) == 1
    assert stored(node.live, expected["messageId"]) == ("sent", DATA, None)
