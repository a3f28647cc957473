"""The loopback receivers that callback tests deliver to behave as they promise."""

from __future__ import annotations

import smtplib
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from email.message import EmailMessage

import httpx
import pytest

from tests.support.sinks import HttpSink
from tests.support.smtp import SmtpServer


@pytest.fixture
def sink() -> Iterator[HttpSink]:
    with HttpSink() as receiver:
        yield receiver


@pytest.fixture
def http(sink: HttpSink) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=sink.url, timeout=5) as client:
        yield client


def test_sink_records_the_request(sink: HttpSink, http: httpx.Client) -> None:
    before = time.monotonic()
    response = http.post(
        "/cb/dev 1?id=1AB2&data=a%26b&data=",
        content=b'{"x": 1}',
        headers={"Content-Type": "application/json", "X-Foxden-Token": "t1"},
    )
    assert response.status_code == 200
    assert response.content == b""
    [received] = sink.wait_for(1)
    assert received.method == "POST"
    assert received.path == "/cb/dev 1"
    assert received.query == "id=1AB2&data=a%26b&data="
    assert received.path_qs == "/cb/dev%201?id=1AB2&data=a%26b&data="
    assert received.params() == {"id": ["1AB2"], "data": ["a&b", ""]}
    assert received.headers["X-Foxden-Token"] == "t1"
    assert received.header("content-type") == "application/json"
    assert received.header("x-missing") is None
    assert received.body == b'{"x": 1}'
    assert received.json() == {"x": 1}
    assert received.time >= before
    assert sink.requests == [received]
    sink.clear()
    assert sink.requests == []


def test_answer_sets_status_body_and_headers(sink: HttpSink, http: httpx.Client) -> None:
    sink.answer(201, b'{"ok":true}', content_type="application/json", headers={"X-A": "1"})
    response = http.get("/")
    assert response.status_code == 201
    assert response.json() == {"ok": True}
    assert response.headers["content-type"].startswith("application/json")
    assert response.headers["x-a"] == "1"


def test_fail_answers_500(sink: HttpSink, http: httpx.Client) -> None:
    sink.fail()
    response = http.post("/", content=b"x")
    assert (response.status_code, response.content) == (500, b"boom")
    assert len(sink.wait_for(1)) == 1


def test_hang_times_the_client_out_and_recovers(sink: HttpSink, http: httpx.Client) -> None:
    sink.hang()
    with pytest.raises(httpx.ReadTimeout):
        http.get("/slow", timeout=0.5)
    assert sink.wait_for(1)[0].path == "/slow"
    sink.answer()
    assert http.get("/slow").status_code == 200


def test_a_hung_request_gets_the_next_mode(sink: HttpSink) -> None:
    sink.hang()
    # The request hangs in a worker thread until a mode (here a one-shot) lets it go.
    with httpx.Client(base_url=sink.url, timeout=5) as client, ThreadPoolExecutor(1) as pool:
        pending = pool.submit(client.get, "/")
        sink.wait_for(1)
        sink.answer(202, times=1)
        assert pending.result(timeout=5).status_code == 202


def test_close_connections_gives_a_transport_error(sink: HttpSink, http: httpx.Client) -> None:
    sink.close_connections()
    with pytest.raises(httpx.TransportError):
        http.post("/", content=b"payload")
    assert sink.wait_for(1)[0].body == b"payload"
    sink.answer()
    assert http.get("/").status_code == 200


def test_modes_per_path_and_one_shot(sink: HttpSink, http: httpx.Client) -> None:
    sink.fail(503, path="/a")
    sink.answer(204, path="/b")
    sink.fail(429, headers={"Retry-After": "1"}, times=2)
    assert http.get("/a").status_code == 503
    assert http.get("/b").status_code == 204
    assert http.get("/c").status_code == 429
    assert http.get("/a").status_code == 503
    assert http.get("/c").headers["retry-after"] == "1"
    assert http.get("/c").status_code == 200
    assert [r.path for r in sink.wait_for(2, path="/a")] == ["/a", "/a"]
    sink.reset()
    assert http.get("/a").status_code == 200


def test_wait_for_times_out_with_an_assertion(sink: HttpSink, http: httpx.Client) -> None:
    http.get("/here")
    with pytest.raises(AssertionError, match=r"expected 1 request\(s\) to /there .* got 0"):
        sink.wait_for(1, timeout=0.2, path="/there")
    with pytest.raises(AssertionError, match="got 1"):
        sink.wait_for(2, timeout=0.2)


def test_close_drops_a_hung_request() -> None:
    sink = HttpSink()
    sink.hang()
    with httpx.Client(timeout=5) as client, ThreadPoolExecutor(1) as pool:
        pending = pool.submit(client.get, sink.url)
        sink.wait_for(1)
        sink.close()
        with pytest.raises(httpx.TransportError):
            pending.result(timeout=5)
    sink.close()


def _message(subject: str, body: str, to: list[str]) -> EmailMessage:
    message = EmailMessage()
    message["From"] = "foxden@example.test"
    message["To"] = ", ".join(to)
    message["Subject"] = subject
    message.set_content(body)
    return message


def test_smtp_server_records_mail() -> None:
    with SmtpServer() as server:
        message = _message("Device 1AB2 — alert", "temperature 21.5 °C", ["ops@example.test"])
        with smtplib.SMTP(server.host, server.port, timeout=5) as client:
            client.send_message(message, to_addrs=["ops@example.test", "bcc@example.test"])
        [mail] = server.wait_for(1)
        assert mail.mail_from == "foxden@example.test"
        assert mail.rcpt_tos == ("ops@example.test", "bcc@example.test")
        assert mail.subject == "Device 1AB2 — alert"
        assert mail.body == "temperature 21.5 °C\n"
        assert mail.headers["To"] == "ops@example.test"
        assert mail.header("subject") == "Device 1AB2 — alert"
        assert mail.message()["From"] == "foxden@example.test"
        assert server.mails == [mail]
        with pytest.raises(AssertionError, match="expected 2 mail"):
            server.wait_for(2, timeout=0.2)
        server.clear()
        assert server.mails == []


def test_smtp_server_with_login() -> None:
    with SmtpServer(username="fox", password="s3cret") as server:
        with smtplib.SMTP(server.host, server.port, timeout=5) as client:
            client.ehlo()
            assert client.has_extn("auth")
            refused = pytest.raises(smtplib.SMTPSenderRefused, match="Authentication required")
            with refused:
                client.send_message(_message("no", "no", ["a@example.test"]))
            with pytest.raises(smtplib.SMTPAuthenticationError):
                client.login("fox", "wrong")
            assert (server.mails, server.logins) == ([], [])
        with smtplib.SMTP(server.host, server.port, timeout=5) as client:
            client.login("fox", "s3cret")
            client.send_message(_message("yes", "hello", ["a@example.test"]))
        [mail] = server.wait_for(1)
        assert (mail.subject, mail.body, mail.rcpt_tos) == ("yes", "hello\n", ("a@example.test",))
        assert server.logins == ["fox"]
