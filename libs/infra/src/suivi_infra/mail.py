"""Transactional mail straight to the SMTP server the notifier uses (console password resets,
shoppers' sign-in links): one message to one person, no trigger, quiet hours or ledger, so no
topic round trip; the same server settings keep one mail path to operate."""

from __future__ import annotations

import asyncio
import smtplib
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Protocol

from pydantic import SecretStr


@dataclass(frozen=True, slots=True)
class SmtpConfig:
    host: str
    port: int
    from_address: str
    starttls: bool = False
    username: str | None = None
    password: str | None = None
    timeout: float = 10.0


class SmtpFields(Protocol):
    """The `smtp_*` fields a service's settings carry (SUIVI_<SERVICE>_SMTP_HOST …)."""

    @property
    def smtp_host(self) -> str: ...
    @property
    def smtp_port(self) -> int: ...
    @property
    def smtp_from_address(self) -> str: ...
    @property
    def smtp_starttls(self) -> bool: ...
    @property
    def smtp_username(self) -> str | None: ...
    @property
    def smtp_password(self) -> SecretStr | None: ...


def smtp_config(settings: SmtpFields) -> SmtpConfig:
    """The server of a service's `smtp_*` settings."""
    password = settings.smtp_password.get_secret_value() if settings.smtp_password else None
    return SmtpConfig(settings.smtp_host, settings.smtp_port, settings.smtp_from_address,
                      settings.smtp_starttls, settings.smtp_username, password)  # fmt: skip


class SmtpMailer:
    """Sends plain-text mails; smtplib in a worker thread, one connection per message."""

    def __init__(self, config: SmtpConfig) -> None:
        self.config = config

    async def send(self, to: str, subject: str, text: str) -> None:
        message = EmailMessage()
        message["From"], message["To"], message["Subject"] = self.config.from_address, to, subject
        message.set_content(text)
        await asyncio.to_thread(self._send, message)

    def _send(self, message: EmailMessage) -> None:
        c = self.config
        with smtplib.SMTP(c.host, c.port, timeout=c.timeout) as smtp:
            if c.starttls:
                smtp.starttls()
            if c.username and c.password:
                smtp.login(c.username, c.password)
            smtp.send_message(message)
