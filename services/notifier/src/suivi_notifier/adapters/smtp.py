"""Email over SMTP (aiosmtplib): multipart text + HTML, List-Unsubscribe with one-click POST.

Errors are classified, never logged with their text (it may quote the recipient): a 4xx reply,
a refused connection, a timeout or a dropped connection are transient; a 5xx reply is permanent.
"""

from __future__ import annotations

from datetime import datetime
from email import policy
from email.message import EmailMessage
from email.utils import format_datetime, formataddr

import aiosmtplib

from suivi_notifier.adapters.render import RenderedEmail
from suivi_notifier.domain.outcomes import Permanent, SendOutcome, Sent, Transient
from suivi_notifier.settings import SmtpSettings

# Headers are not folded: Python folds a long URL (List-Unsubscribe) into RFC 2047 encoded
# words, which mail clients do not decode there. Lines stay far below RFC 5322's 998.
WIRE_POLICY = policy.SMTP.clone(max_line_length=None)


def _by_code(code: int, what: str = "smtp") -> SendOutcome:
    if 400 <= code < 500:
        return Transient(f"{what}_{code}")
    if code >= 500:
        return Permanent(f"{what}_{code}")
    return Transient(f"{what}_unexpected")


def classify(exc: BaseException) -> SendOutcome:
    if isinstance(exc, aiosmtplib.SMTPRecipientsRefused):
        codes = [r.code for r in exc.recipients] or [0]
        return _by_code(max(codes))
    if isinstance(exc, aiosmtplib.SMTPAuthenticationError):
        # Our credentials, not the message: retried (bounded) while an operator fixes them.
        return Transient(f"smtp_auth_{exc.code}")
    if isinstance(exc, aiosmtplib.SMTPResponseException):
        return _by_code(exc.code)
    if isinstance(exc, aiosmtplib.SMTPTimeoutError | TimeoutError):
        return Transient("smtp_timeout")
    if isinstance(exc, aiosmtplib.SMTPConnectError | aiosmtplib.SMTPServerDisconnected | OSError):
        return Transient("smtp_unavailable")
    return Transient("smtp_error")


class SmtpSender:
    def __init__(self, settings: SmtpSettings) -> None:
        if not settings.host:
            raise ValueError("SMTP host not configured")
        self.settings = settings
        self.host: str = settings.host

    def build(
        self,
        to: str,
        rendered: RenderedEmail,
        *,
        unsubscribe_url: str | None,
        message_id: str,
        now: datetime,
    ) -> EmailMessage:
        """A shopper's message (with List-Unsubscribe), or with `unsubscribe_url` None an
        operational one (a merchant's digest: the merchant configured it)."""
        s = self.settings
        message = EmailMessage()
        message["From"] = formataddr((s.from_name, s.from_address))
        message["To"] = to
        message["Subject"] = rendered.subject
        message["Date"] = format_datetime(now)
        # Deterministic per (shipment, trigger, channel): a resend after a crash carries the same
        # Message-ID, which lets receiving systems fold the duplicate.
        message["Message-ID"] = f"<{message_id}@{s.message_id_domain}>"
        if unsubscribe_url is not None:
            targets = [f"<{unsubscribe_url}>"]
            if s.unsubscribe_mailto:
                targets.append(f"<mailto:{s.unsubscribe_mailto}?subject=unsubscribe>")
            message["List-Unsubscribe"] = ", ".join(targets)
            message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"  # RFC 8058
        message["Auto-Submitted"] = "auto-generated"  # RFC 3834: no auto-replies, please
        message.set_content(rendered.text)
        message.add_alternative(rendered.html, subtype="html")
        message["Content-Language"] = rendered.lang  # after the body: set_content drops it
        return message

    async def send(self, message: EmailMessage) -> SendOutcome:
        s = self.settings
        try:
            await aiosmtplib.send(
                message.as_bytes(policy=WIRE_POLICY),
                sender=s.from_address,
                recipients=[str(message["To"])],
                hostname=self.host,
                port=s.port,
                username=s.username,
                password=s.password.get_secret_value() if s.password else None,
                use_tls=s.use_tls,
                start_tls=s.start_tls,
                validate_certs=s.validate_certs,
                timeout=s.timeout_seconds,
            )
        except Exception as exc:
            return classify(exc)
        return Sent()
