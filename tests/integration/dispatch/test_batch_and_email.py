"""BATCH_URL gathers a callback's lines into one request; EMAIL sends one mail per message."""

from __future__ import annotations

import httpx
from pydantic import SecretStr

from foxden.config import Settings
from tests.integration.dispatch.conftest import (
    attempts_of,
    create_callbacks,
    email_callback,
    wait_until,
)
from tests.support.factories import fleet
from tests.support.server import LiveServer
from tests.support.sinks import HttpSink
from tests.support.smtp import SmtpServer
from tests.support.uplinks import uplink


def test_batch_url_posts_one_line_per_message_in_one_request(
    server: LiveServer, client: httpx.Client, sink: HttpSink
) -> None:
    made = fleet(server, devices=3, callbacks=())
    [callback_id] = create_callbacks(
        client,
        made,
        {
            "channel": "BATCH_URL",
            "callbackType": 0,
            "callbackSubtype": 2,
            "url": f"{sink.url}/batch",
            "linePattern": "{device};{data};{seqNumber}",
            "enabled": True,
            "sendDuplicate": False,
        },
    )
    sent = [uplink(client, made, seq=4, device=n, data=f"0{n}") for n in range(3)]

    [request] = sink.wait_for(1)
    assert request.method == "POST"
    assert request.header("Content-Type") == "text/plain"
    assert sorted(request.text().split("\n")) == [f"{made.device_ids[n]};0{n};4" for n in range(3)]
    keys = sorted((request.header("Idempotency-Key") or "").split(","))
    assert keys == sorted(f"{m['messageId']}:{callback_id}" for m in sent)
    for message in sent:
        [attempt] = wait_until(lambda m=message: attempts_of(server, m["messageId"]))
        assert attempt.channel == "BATCH_URL"
        assert attempt.status == 200
        assert attempt.request["body"] == request.text()
    assert len(sink.requests) == 1


def test_an_email_callback_sends_the_rendered_mail(
    server: LiveServer, client: httpx.Client, smtp: SmtpServer
) -> None:
    made = fleet(server, callbacks=())
    create_callbacks(
        client,
        made,
        email_callback(
            subject="Device {device} says {data}", message="Sequence {seqNumber}\nRSSI {rssi} dBm"
        ),
    )
    message = uplink(client, made, seq=12, data="f00d", rssi=-99.5)["messageId"]

    [mail] = smtp.wait_for(1)
    assert mail.rcpt_tos == ("team@example.com",)
    assert mail.mail_from == "alerts@foxden.test"
    assert mail.subject == f"Device {made.device_ids[0]} says f00d"
    assert mail.body == "Sequence 12\nRSSI -99.5 dBm\n"
    [attempt] = wait_until(lambda: attempts_of(server, message))
    assert attempt.channel == "EMAIL"
    assert attempt.status == 200
    assert attempt.request == {
        "recipient": "team@example.com",
        "subject": mail.subject,
        "message": "Sequence 12\nRSSI -99.5 dBm",
    }


def test_an_unreachable_smtp_server_is_a_failed_attempt(
    server: LiveServer, client: httpx.Client, smtp: SmtpServer
) -> None:
    made = fleet(server, callbacks=())
    smtp.close()
    create_callbacks(
        client,
        made,
        email_callback(),
    )
    message = uplink(client, made, seq=1)["messageId"]
    attempts = wait_until(
        lambda: (found := attempts_of(server, message)) and found[-1].failed and found
    )
    assert {a.status for a in attempts} == {600}
    assert attempts[0].info


def test_mails_go_through_an_smtp_server_that_wants_a_login(settings: Settings) -> None:
    with SmtpServer(username="fox", password="den-password") as guarded:
        configured = settings.model_copy(
            update={
                "smtp_port": guarded.port,
                "smtp_username": "fox",
                "smtp_password": SecretStr("den-password"),
            }
        )
        live = LiveServer(configured)
        try:
            with httpx.Client(base_url=live.url, timeout=30) as other:
                made = fleet(live, callbacks=())
                create_callbacks(
                    other,
                    made,
                    email_callback(),
                )
                uplink(other, made, seq=1, data="aa")
                [mail] = guarded.wait_for(1)
        finally:
            live.stop()
    assert guarded.logins == ["fox"]
    assert mail.subject == made.device_ids[0]
    assert mail.body == "aa\n"
