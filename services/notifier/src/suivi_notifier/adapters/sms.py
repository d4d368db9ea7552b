"""SMS through an HTTP provider speaking Twilio's Messages API.

POST {base}/2010-04-01/Accounts/{sid}/Messages.json, form fields To / From (or
MessagingServiceSid) / Body, HTTP basic auth sid:token. 201 → sent (the provider's message sid
kept); 429 and 5xx → transient, honouring Retry-After; timeouts and refused connections →
transient; 401/403 → transient (our credentials: an operator fixes them; attempts are bounded);
any other 4xx → permanent, e.g. 400 with Twilio code 21211 (invalid 'To' number).
"""

from __future__ import annotations

import httpx

from suivi_notifier.adapters.retry_after import parse_retry_after
from suivi_notifier.domain.outcomes import Permanent, SendOutcome, Sent, Transient
from suivi_notifier.settings import SmsSettings


class TwilioSms:
    def __init__(self, settings: SmsSettings, client: httpx.AsyncClient) -> None:
        if not settings.account_sid or settings.auth_token is None:
            raise ValueError("SMS account sid and auth token not configured")
        if not (settings.from_number or settings.messaging_service_sid):
            raise ValueError("SMS needs a From number or a messaging service sid")
        self.settings = settings
        self.client = client
        self.sid: str = settings.account_sid
        self.url = f"{settings.base_url.rstrip('/')}/2010-04-01/Accounts/{self.sid}/Messages.json"
        self.auth = httpx.BasicAuth(self.sid, settings.auth_token.get_secret_value())

    async def send(self, to: str, body: str) -> SendOutcome:
        form = {"To": to, "Body": body}
        if self.settings.messaging_service_sid:
            form["MessagingServiceSid"] = self.settings.messaging_service_sid
        else:
            form["From"] = self.settings.from_number or ""
        try:
            response = await self.client.post(
                self.url, data=form, auth=self.auth, timeout=self.settings.timeout_seconds
            )
        except httpx.TimeoutException:
            return Transient("sms_timeout")
        except httpx.TransportError:
            return Transient("sms_unavailable")
        return classify(response)


def _twilio_code(response: httpx.Response) -> int | None:
    try:
        code = response.json().get("code")
    except (ValueError, AttributeError):
        return None
    return code if isinstance(code, int) else None


def classify(response: httpx.Response) -> SendOutcome:
    status = response.status_code
    if 200 <= status < 300:
        try:
            sid = response.json().get("sid")
        except (ValueError, AttributeError):
            sid = None
        return Sent(provider_id=sid if isinstance(sid, str) else None)
    if status == 429 or status >= 500:
        return Transient(f"http_{status}", parse_retry_after(response.headers.get("Retry-After")))
    if status in (401, 403, 408):
        return Transient(f"http_{status}")
    code = _twilio_code(response)
    return Permanent(f"twilio_{code}" if code is not None else f"http_{status}")
