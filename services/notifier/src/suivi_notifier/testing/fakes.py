"""Zero-latency senders: every message accepted at once (the bench measures the notifier's own
work, not a peer's)."""

from __future__ import annotations

from email.message import EmailMessage

from suivi_notifier.adapters.smtp import SmtpSender
from suivi_notifier.domain.outcomes import SendOutcome, Sent


class AcceptingSmtp(SmtpSender):
    """Builds each message as for real (render, headers), then accepts it without a server."""

    sent = 0

    async def send(self, message: EmailMessage) -> SendOutcome:
        self.sent += 1
        return Sent()


class AcceptingSms:
    sent = 0

    async def send(self, to: str, body: str) -> SendOutcome:
        self.sent += 1
        return Sent(f"SM{self.sent:032d}")
