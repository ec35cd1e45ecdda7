"""Sending notification e-mails over SMTP, configured by ``CHORUSFLOW_SMTP_*`` variables.

One connection per batch (a sync can change hundreds of statuses at once);
a message the server refuses is reported for that message only, and a
server that cannot be reached leaves every message unsent, to be tried on
the next run, instead of failing the sync that produced them.
"""

from __future__ import annotations

import smtplib
import ssl
from collections.abc import Sequence
from email.message import EmailMessage

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

__all__ = ["SmtpSender", "SmtpSettings"]


class SmtpSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="CHORUSFLOW_SMTP_", env_file=".env", extra="ignore")

    host: str | None = Field(default=None, description="SMTP server; unset: e-mail is off, dashboard only")
    port: int = 25
    sender: str = "chorusflow@localhost"
    username: str | None = None
    password: SecretStr | None = None
    starttls: bool = False
    use_ssl: bool = False
    timeout_s: float = 30.0


class SmtpSender:
    def __init__(self, settings: SmtpSettings) -> None:
        if not settings.host:
            raise ValueError("No SMTP server configured: set CHORUSFLOW_SMTP_HOST (and _PORT, _SENDER).")
        self.settings = settings

    def _connect(self) -> smtplib.SMTP:
        s = self.settings
        if s.use_ssl:
            conn: smtplib.SMTP = smtplib.SMTP_SSL(
                s.host or "", s.port, timeout=s.timeout_s, context=ssl.create_default_context()
            )
        else:
            conn = smtplib.SMTP(s.host or "", s.port, timeout=s.timeout_s)
            if s.starttls:
                conn.starttls(context=ssl.create_default_context())
        if s.username and s.password:
            conn.login(s.username, s.password.get_secret_value())
        return conn

    def send_many(
        self, messages: Sequence[tuple[list[str], str, str]], *, ids: Sequence[int]
    ) -> list[tuple[int, str | None]]:
        """Send ``(to, subject, body)`` messages; ``(id, error or None)`` for each one sent or refused."""
        if not messages:
            return []
        try:
            conn = self._connect()
        except (OSError, smtplib.SMTPException):
            return []  # server unreachable: nothing is marked, the next run tries again
        results: list[tuple[int, str | None]] = []
        try:
            for message_id, (to, subject, body) in zip(ids, messages, strict=True):
                msg = EmailMessage()
                msg["From"] = self.settings.sender
                msg["To"] = ", ".join(to)
                msg["Subject"] = subject
                msg.set_content(body)
                try:
                    conn.send_message(msg)
                    results.append((message_id, None))
                except smtplib.SMTPException as exc:
                    results.append((message_id, f"{type(exc).__name__}: {exc}"))
        finally:
            try:
                conn.quit()
            except (OSError, smtplib.SMTPException):
                conn.close()
        return results
