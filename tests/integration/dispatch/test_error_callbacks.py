"""ERROR callbacks: a status event is delivered once per device it concerns, through URL,
BATCH_URL and EMAIL, and its attempts are listed as the event's ``callbacks``."""

from __future__ import annotations

import json
from typing import Any

import httpx
from sqlalchemy import Connection

from foxden.domain.clock import now_ms
from foxden.domain.status_events import NETWORK_WARNING, Severity, communication_lost
from foxden.storage import callback_attempts, status_events
from tests.integration.dispatch.conftest import (
    create_callbacks,
    outbox_size,
    url_callback,
    wait_until,
)
from tests.support.factories import fleet
from tests.support.server import LiveServer
from tests.support.sinks import HttpSink
from tests.support.smtp import SmtpServer
from tests.support.uplinks import BASE_TIME

ERROR = 2
# Event times with a millisecond part, so that a unit slip shows.
ERROR_TIME = BASE_TIME + 3_600_123
WARN_TIME = BASE_TIME + 7_200_456
SILENT = communication_lost(BASE_TIME)


def _sorted(entries: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return sorted(entries, key=lambda entry: json.dumps(entry, sort_keys=True))


def test_status_events_reach_url_batch_and_email_callbacks_and_are_listed(
    server: LiveServer, client: httpx.Client, sink: HttpSink, smtp: SmtpServer
) -> None:
    made = fleet(server, devices=3, callbacks=())
    lost, *others = made.device_ids
    url_id, _, _ = create_callbacks(
        client,
        made,
        url_callback(
            f"{sink.url}/error?id={{device}}&time={{time}}",
            callbackType=ERROR,
            callbackSubtype=None,
            contentType="application/json",
            bodyTemplate=(
                '{"device":"{device}","time":{time},"info":"{info}","severity":"{severity}"}'
            ),
        ),
        {
            "channel": "BATCH_URL",
            "callbackType": ERROR,
            "url": f"{sink.url}/batch",
            "linePattern": "{severity};{device};{time};{info}",
            "enabled": True,
        },
        {
            "channel": "EMAIL",
            "callbackType": ERROR,
            "recipient": "ops@example.com",
            "subject": "{severity}: {device}",
            "message": "{info} ({time})",
            "enabled": True,
        },
    )

    def raise_both(conn: Connection) -> tuple[int, int]:
        now = now_ms()
        error = status_events.raise_event(
            conn, made.device_type_id, Severity.ERROR, ERROR_TIME, SILENT, [lost], now
        )
        warn = status_events.raise_event(
            conn,
            made.device_type_id,
            Severity.WARN,
            WARN_TIME,
            NETWORK_WARNING,
            made.device_ids,
            now,
        )
        return error, warn

    error_id, warn_id = server.write(raise_both)
    # One delivery per device an event concerns, to each of the three callbacks.
    sent = [(error_id, "ERROR", ERROR_TIME // 1000, SILENT, lost)] + [
        (warn_id, "WARN", WARN_TIME // 1000, NETWORK_WARNING, device) for device in made.device_ids
    ]

    requests = sink.wait_for(len(sent), path="/error")
    assert sorted(
        (r.params()["id"][0], r.header("Idempotency-Key"), r.json()["severity"]) for r in requests
    ) == sorted((device, f"event-{event}:{url_id}:{device}", s) for event, s, _, _, device in sent)
    for request in requests:
        assert request.header("Content-Type") == "application/json"
    assert _sorted([r.json() for r in requests]) == _sorted(
        [
            {"device": device, "time": at, "info": info, "severity": severity}
            for _, severity, at, info, device in sent
        ]
    )

    mails = smtp.wait_for(len(sent))
    assert sorted((m.rcpt_tos, m.subject, m.body) for m in mails) == sorted(
        (("ops@example.com",), f"{severity}: {device}", f"{info} ({at})\n")
        for _, severity, at, info, device in sent
    )

    def lines() -> list[str]:
        return [line for r in sink.requests if r.path == "/batch" for line in r.text().split("\n")]

    wait_until(lambda: len(lines()) >= len(sent))
    assert sorted(lines()) == sorted(
        f"{severity};{device};{at};{info}" for _, severity, at, info, device in sent
    )

    wait_until(lambda: server.read(outbox_size) == 0)
    attempts = server.read(callback_attempts.for_status_events, [error_id, warn_id])
    assert len(attempts[error_id]) == 3
    assert len(attempts[warn_id]) == 9
    for attempt in attempts[error_id] + attempts[warn_id]:
        assert attempt.status == 200
        assert attempt.message_id is None
        assert attempt.device_type_id == made.device_type_id
    assert {a.event_time for a in attempts[warn_id]} == {WARN_TIME}

    # The receivers answered 200 "OK", which each attempt keeps as its ``info``.
    batch = {"url": f"{sink.url}/batch", "status": 200, "info": "OK"}
    type_errors = client.get(
        f"/api/devicetypes/{made.device_type_id}/status/error", auth=made.tenant.auth
    )
    assert type_errors.status_code == 200
    [error_event] = type_errors.json()["data"]
    assert {key: value for key, value in error_event.items() if key != "callbacks"} == {
        "deviceId": lost,
        "time": ERROR_TIME,
        "message": SILENT,
        "severity": "ERROR",
        "deviceTypeId": made.device_type_id,
    }
    assert _sorted(error_event["callbacks"]) == _sorted(
        [
            {
                "url": f"{sink.url}/error?id={lost}&time={ERROR_TIME // 1000}",
                "status": 200,
                "info": "OK",
            },
            batch,
            {
                "subject": f"ERROR: {lost}",
                "message": f"{SILENT} ({ERROR_TIME // 1000})",
                "status": 200,
            },
        ]
    )

    device_warns = client.get(f"/api/devices/{others[0]}/status/warn", auth=made.tenant.auth)
    assert device_warns.status_code == 200
    [warn_event] = device_warns.json()["data"]
    assert warn_event["deviceIds"] == sorted(made.device_ids)
    assert warn_event["deviceId"] == made.device_type_id
    assert warn_event["time"] == WARN_TIME
    # The device sees the deliveries made for itself, not those for the other devices.
    assert _sorted(warn_event["callbacks"]) == _sorted(
        [
            {
                "url": f"{sink.url}/error?id={others[0]}&time={WARN_TIME // 1000}",
                "status": 200,
                "info": "OK",
            },
            batch,
            {
                "subject": f"WARN: {others[0]}",
                "message": f"{NETWORK_WARNING} ({WARN_TIME // 1000})",
                "status": 200,
            },
        ]
    )
