"""Failures: retries at the configured schedule, `cbStatus`, giving up, `dead`, the
failed-callback log, the alert mails, and answers that never come."""

from __future__ import annotations

import httpx

from foxden.config import Settings
from foxden.storage.callback_attempts import Attempt
from tests.integration.dispatch.conftest import (
    RETRY_DELAYS,
    attempts_of,
    create_callbacks,
    outbox_size,
    url_callback,
    wait_until,
)
from tests.support.factories import Fleet, fleet
from tests.support.server import LiveServer
from tests.support.sinks import HttpSink
from tests.support.smtp import SmtpServer
from tests.support.uplinks import BASE_TIME, uplink

ALERTS = "ops@example.com"


def _with_alert_email(client: httpx.Client, made: Fleet) -> None:
    edited = client.post(
        "/api/devicetypes/edit",
        json={"id": made.device_type_id, "alertEmail": ALERTS},
        auth=made.tenant.auth,
    )
    assert edited.status_code == 200, edited.text


def _callback(client: httpx.Client, made: Fleet, callback_id: str) -> dict[str, object]:
    listed = client.get(
        f"/api/devicetypes/{made.device_type_id}/callbacks", auth=made.tenant.auth
    ).json()
    [found] = [c for c in listed["data"] if c["id"] == callback_id]
    return dict(found)


def _cb_status(client: httpx.Client, made: Fleet) -> list[dict[str, object]]:
    page = client.get(f"/api/devices/{made.device_ids[0]}/messages", auth=made.tenant.auth).json()
    return list(page["data"][0]["cbStatus"])


def test_a_failing_receiver_is_retried_on_schedule_until_it_answers(
    server: LiveServer, client: httpx.Client, sink: HttpSink
) -> None:
    made = fleet(server, callbacks=())
    create_callbacks(client, made, url_callback(f"{sink.url}/flaky", bodyTemplate="d={data}"))
    sink.fail(503, body=b"busy", times=2)
    message = uplink(client, made, seq=1)["messageId"]

    calls = sink.wait_for(3)
    attempts = wait_until(
        lambda: len(attempts_of(server, message)) == 3 and attempts_of(server, message)
    )
    assert [a.status for a in attempts] == [503, 503, 200]
    assert [a.info for a in attempts[:2]] == ["busy", "busy"]
    assert not any(a.failed for a in attempts)
    assert all(c.body == b"d=0102" for c in calls)
    # Each retry waited at least its delay after the failure before it.
    for before, after, delay in zip(calls, calls[1:], RETRY_DELAYS, strict=False):
        assert after.time - before.time >= float(delay) * 0.9
    assert server.read(outbox_size) == 0
    assert [s["status"] for s in _cb_status(client, made)] == [503, 503, 200]


def test_giving_up_logs_the_failure_kills_the_callback_and_mails_once(
    server: LiveServer, client: httpx.Client, sink: HttpSink, smtp: SmtpServer
) -> None:
    made = fleet(server, callbacks=())
    _with_alert_email(client, made)
    [callback_id] = create_callbacks(
        client,
        made,
        url_callback(f"{sink.url}/down", headers={"X-Seq": "{seqNumber}"}, bodyTemplate="d={data}"),
    )
    sink.fail(500, body=b"it broke")
    message = uplink(client, made, seq=9, data="abcd")["messageId"]

    tries = 1 + len(RETRY_DELAYS)
    attempts: list[Attempt] = wait_until(
        lambda: (found := attempts_of(server, message)) and found[-1].failed and found
    )
    assert [a.status for a in attempts] == [500] * tries
    assert [a.failed for a in attempts] == [False] * (tries - 1) + [True]
    assert server.read(outbox_size) == 0
    assert _callback(client, made, callback_id)["dead"] is True

    log = client.get(
        "/api/callbacks/messages/error",
        params={"deviceId": made.device_type_id, "since": BASE_TIME},
        auth=made.tenant.auth,
    )
    assert log.status_code == 200, log.text
    [failure] = log.json()["data"]
    assert failure["device"] == made.device_ids[0]
    assert failure["data"] == "abcd"
    assert failure["status"] == 500
    assert failure["message"] == "it broke"
    assert failure["callback"] == {
        "url": f"{sink.url}/down",
        "headers": {"X-Seq": "9"},
        "method": "POST",
        "body": "d=abcd",
        "contentType": "application/x-www-form-urlencoded",
    }
    assert failure["parameters"]["seqNumber"] == 9

    [alert] = smtp.wait_for(1)
    assert alert.rcpt_tos == (ALERTS,)
    assert alert.mail_from == "alerts@foxden.test"
    assert callback_id in alert.subject and "dead" in alert.subject

    # A second message fails as well: the callback is dead already, so no second mail.
    second = uplink(client, made, seq=10)["messageId"]
    wait_until(lambda: (found := attempts_of(server, second)) and found[-1].failed)
    # It recovers: one mail says so, and the callback is alive again.
    sink.reset()
    third = uplink(client, made, seq=11)["messageId"]
    wait_until(lambda: [a.status for a in attempts_of(server, third)] == [200])
    mails = smtp.wait_for(2)
    assert len(mails) == 2
    assert "works again" in mails[1].subject
    assert _callback(client, made, callback_id)["dead"] is False


def test_no_answer_in_time_and_a_closed_connection_are_600(
    server: LiveServer, client: httpx.Client, sink: HttpSink
) -> None:
    made = fleet(server, callbacks=())
    create_callbacks(
        client, made, url_callback(f"{sink.url}/hang"), url_callback(f"{sink.url}/close")
    )
    sink.hang(path="/hang", times=1)
    sink.close_connections(path="/close", times=1)
    message = uplink(client, made, seq=1)["messageId"]

    attempts = wait_until(lambda: len(found := attempts_of(server, message)) == 4 and found)
    by_url: dict[str, list[Attempt]] = {}
    for attempt in attempts:
        by_url.setdefault(attempt.request["url"].rsplit("/", 1)[1], []).append(attempt)
    hung, closed = by_url["hang"], by_url["close"]
    assert [a.status for a in hung] == [600, 200]
    assert hung[0].info is not None and "1 s" in hung[0].info
    assert [a.status for a in closed] == [600, 200]
    assert closed[0].info


def test_a_private_target_is_refused_unless_allowed(
    server: LiveServer, client: httpx.Client, sink: HttpSink
) -> None:
    made = fleet(server, callbacks=())
    port = sink.url.rsplit(":", 1)[1]
    create_callbacks(client, made, url_callback(f"http://localhost:{port}/private"))
    create_callbacks(client, made, url_callback(f"http://10.0.0.1:{port}/private"))
    message = uplink(client, made, seq=1)["messageId"]

    attempts = wait_until(lambda: len(found := attempts_of(server, message)) == 2 and found)
    denied = [a for a in attempts if "10.0.0.1" in a.request["url"]]
    assert [a.status for a in denied] == [600]
    assert denied[0].info is not None and "outbound policy" in denied[0].info
    # localhost reaches the sink: 127.0.0.1/32 is on this server's allow list.
    assert [r.path for r in sink.requests] == ["/private"]


def test_a_hanging_receiver_does_not_hold_up_a_healthy_one(
    settings: Settings, sink: HttpSink
) -> None:
    # Eight slots, four per callback, and receivers given far longer than the test to answer:
    # were the slots shared first come first served, the hanging receiver would take them all.
    narrow = settings.model_copy(
        update={"dispatch_concurrency": 8, "dispatch_per_callback": 4, "callback_timeout": 60.0}
    )
    live = LiveServer(narrow)
    try:
        with httpx.Client(base_url=live.url, timeout=30) as client:
            made = fleet(live, callbacks=())
            create_callbacks(
                client, made, url_callback(f"{sink.url}/slow"), url_callback(f"{sink.url}/fast")
            )
            sink.hang(path="/slow")
            for seq in range(1, 41):
                uplink(client, made, seq=seq)
            assert len(sink.wait_for(40, path="/fast")) == 40
            assert len(sink.wait_for(4, path="/slow")) == 4
            assert len([r for r in sink.requests if r.path == "/slow"]) == 4
    finally:
        sink.reset()
        live.stop()
