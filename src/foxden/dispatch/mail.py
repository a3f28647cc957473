"""Sending mail through the configured SMTP server: EMAIL callbacks and the dead-callback alerts."""

from __future__ import annotations

from dataclasses import dataclass
from email.message import EmailMessage

import aiosmtplib

from foxden.config import Settings


class MailFailed(Exception):
    """The SMTP server could not be reached or refused the mail."""


@dataclass(frozen=True, slots=True)
class Mailer:
    """The SMTP server and the sender address; one connection per mail (mails are rare)."""

    host: str
    port: int
    security: str
    username: str | None
    password: str | None
    sender: str
    timeout_s: float

    @classmethod
    def from_settings(cls, settings: Settings) -> Mailer:
        """The mailer ``settings`` describe."""
        return cls(
            host=settings.smtp_host,
            port=settings.smtp_port,
            security=settings.smtp_security,
            username=settings.smtp_username,
            password=settings.smtp_password.get_secret_value() if settings.smtp_password else None,
            sender=settings.smtp_from,
            timeout_s=settings.callback_timeout,
        )

    async def send(self, recipient: str, subject: str, text: str) -> str:
        """Send a plain-text mail; the server's answer, or MailFailed."""
        mail = EmailMessage()
        mail["From"] = self.sender
        mail["To"] = recipient
        mail["Subject"] = subject
        mail.set_content(text)
        try:
            _errors, answer = await aiosmtplib.send(
                mail,
                hostname=self.host,
                port=self.port,
                username=self.username,
                password=self.password,
                use_tls=self.security == "tls",
                start_tls=self.security == "starttls",
                timeout=self.timeout_s,
            )
        except (aiosmtplib.SMTPException, OSError, ValueError) as exc:
            raise MailFailed(str(exc) or type(exc).__name__) from exc
        return answer
