"""A real SMTP server on 127.0.0.1 for mail callback tests, run in its own thread.

aiosmtpd's ``Controller`` runs the server on an event loop in a daemon thread; this
wraps it with a thread-safe, blocking API to inspect or wait for the mails it accepted.
"""

from __future__ import annotations

import email
import email.policy
import threading
import time
from dataclasses import dataclass
from email.message import EmailMessage
from types import TracebackType
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session


@dataclass(frozen=True)
class Mail:
    """One accepted mail: the envelope, a few parsed parts, and the bytes as sent.

    ``body`` is the text/plain body (else the text/html one, else "") decoded, line ends
    as "\\n". ``headers`` keeps the header-name case as sent, with repeated headers joined
    by ", "; use ``header()`` for a case-insensitive lookup.
    """

    mail_from: str
    rcpt_tos: tuple[str, ...]
    subject: str
    body: str
    headers: dict[str, str]
    raw: bytes

    def header(self, name: str, default: str | None = None) -> str | None:
        """The value of header ``name`` in any case, or ``default``."""
        wanted = name.lower()
        for key, value in self.headers.items():
            if key.lower() == wanted:
                return value
        return default

    def message(self) -> EmailMessage:
        """The whole message parsed, for attachments or alternative parts."""
        return _parse(self.raw)


def _parse(raw: bytes) -> EmailMessage:
    message = email.message_from_bytes(raw, policy=email.policy.default)
    assert isinstance(message, EmailMessage)
    return message


def _mail(envelope: Envelope) -> Mail:
    raw = envelope.original_content or envelope.content or b""
    assert isinstance(raw, bytes)
    message = _parse(raw)
    part = message.get_body(preferencelist=("plain", "html"))
    text = part.get_content() if isinstance(part, EmailMessage) else ""
    body = text.replace("\r\n", "\n") if isinstance(text, str) else ""
    headers: dict[str, str] = {}
    for name, value in message.items():
        headers[name] = f"{headers[name]}, {value}" if name in headers else str(value)
    return Mail(
        mail_from=envelope.mail_from or "",
        rcpt_tos=tuple(envelope.rcpt_tos),
        subject=str(message.get("subject", "")),
        body=body,
        headers=headers,
        raw=raw,
    )


class _FreePortController(Controller):
    """A Controller bound to port 0 that learns its real port before it connects to itself."""

    def _trigger_server(self) -> None:
        server: Any = self.server  # asyncio's Server or uvloop's: both have sockets
        assert server is not None
        self.port = server.sockets[0].getsockname()[1]
        super()._trigger_server()  # type: ignore[no-untyped-call]


class _Recorder:
    """aiosmtpd's handler: its hooks run on the server's loop and record under ``lock``."""

    def __init__(self, username: str | None, password: str | None) -> None:
        self._username = username
        self._password = password
        self.lock = threading.Lock()
        self.arrived = threading.Condition(self.lock)
        self.mails: list[Mail] = []
        self.logins: list[str] = []

    def authenticate(
        self, server: SMTP, session: Session, envelope: Envelope, mechanism: str, data: Any
    ) -> AuthResult:
        if not isinstance(data, LoginPassword):
            return AuthResult(success=False, handled=False)
        login = data.login.decode(errors="replace")
        password = data.password.decode(errors="replace")
        if login != self._username or password != self._password:
            return AuthResult(success=False, handled=False)
        with self.lock:
            self.logins.append(login)
        return AuthResult(success=True, handled=False)

    async def handle_MAIL(
        self,
        server: SMTP,
        session: Session,
        envelope: Envelope,
        address: str,
        mail_options: list[str],
    ) -> str:
        if self._username is not None and not session.authenticated:
            return "530 5.7.0 Authentication required"
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        mail = _mail(envelope)
        with self.arrived:
            self.mails.append(mail)
            self.arrived.notify_all()
        return "250 Message accepted for delivery"


class SmtpServer:
    """An SMTP server on a free loopback port that accepts and records every mail.

    With ``username`` and ``password`` it offers AUTH PLAIN and LOGIN without TLS and
    refuses MAIL FROM (530) until a client logged in with exactly those; ``logins``
    records the user name of every successful login.
    """

    def __init__(self, username: str | None = None, password: str | None = None) -> None:
        if (username is None) != (password is None):
            raise ValueError("give both username and password, or neither")
        self._recorder = _Recorder(username, password)
        self._lock = self._recorder.lock
        self._closed = False
        options: dict[str, Any] = {}
        if username is not None:
            # Not aiosmtpd's auth_required: it warns about missing TLS, and tests turn
            # warnings into errors; handle_MAIL enforces the login instead.
            options = {"auth_require_tls": False, "authenticator": self._recorder.authenticate}
        self._controller = _FreePortController(
            self._recorder, hostname="127.0.0.1", port=0, server_hostname="localhost", **options
        )
        self._controller.start()
        self.host: str = "127.0.0.1"
        self.port: int = self._controller.port

    # -- what arrived --------------------------------------------------------------------

    @property
    def mails(self) -> list[Mail]:
        """A copy of every mail accepted so far, oldest first."""
        with self._lock:
            return list(self._recorder.mails)

    @property
    def logins(self) -> list[str]:
        """The user name of every successful login so far, oldest first."""
        with self._lock:
            return list(self._recorder.logins)

    def wait_for(self, count: int, timeout: float = 10.0) -> list[Mail]:
        """Block until at least ``count`` mails were accepted; return them all."""
        deadline = time.monotonic() + timeout
        recorder = self._recorder
        with recorder.arrived:
            while len(recorder.mails) < count:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(
                        f"expected {count} mail(s) within {timeout}s, got {len(recorder.mails)}"
                    )
                recorder.arrived.wait(left)
            return list(recorder.mails)

    def clear(self) -> None:
        """Forget the mails and logins recorded so far."""
        with self._lock:
            self._recorder.mails.clear()
            self._recorder.logins.clear()

    # -- lifecycle -----------------------------------------------------------------------

    def close(self) -> None:
        """Stop the server and join its thread. Idempotent."""
        if self._closed:
            return
        self._closed = True
        self._controller.stop()

    def __enter__(self) -> SmtpServer:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"SmtpServer({self.host!r}, {self.port})"
