"""A merchant's webhook: one signed JSON POST per alert, return change or claim change.

Headers: `Suivi-Signature: t=<unix>,v1=<hex HMAC-SHA256 of "<t>.<body>">` (suivi_infra.signing,
the scheme ingest verifies for its `suivi` provider; each retry is signed afresh),
`Suivi-Delivery-Id` (the alert's or change's event id: the same on every retry, the merchant's
dedup key) and `Suivi-Event-Type` (`shipment.stalled` / `shipment.late` / `shipment.recovered`,
`return.<kind>`, `claim.<kind>`).
Responses: 2xx → delivered; 408, 429, 5xx, timeouts, refused connections → transient
(Retry-After honoured); redirects (not followed) and other 4xx → permanent. The URL and the
response body are never logged nor kept (the URL may carry a token).
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Sequence

import httpx
from pydantic import SecretStr

from suivi_infra import signing
from suivi_notifier.adapters.retry_after import parse_retry_after
from suivi_notifier.domain.outcomes import Permanent, SendOutcome, Sent, Transient
from suivi_schemas import ShipmentAlert
from suivi_schemas.claims import ClaimEvent
from suivi_schemas.returns import ReturnEvent

USER_AGENT = "suivi-notifier"


def body(merchant_id: str, order_numbers: Sequence[str], alert: ShipmentAlert) -> bytes:
    """The JSON document posted: the alert as published, with the merchant's order numbers."""
    document = {
        "type": f"shipment.{alert.kind.value}",
        "merchant_id": merchant_id,
        "order_numbers": list(order_numbers),
        "alert": alert.model_dump(mode="json"),
    }
    return json.dumps(document, separators=(",", ":"), ensure_ascii=False).encode()


def aftersales_body(event: ReturnEvent | ClaimEvent) -> bytes:
    """A return's or claim's change as published, under its family's name."""
    family = "return" if isinstance(event, ReturnEvent) else "claim"
    document = {
        "type": f"{family}.{event.kind.value}",
        "merchant_id": event.merchant_id,
        family: event.model_dump(mode="json"),
    }
    return json.dumps(document, separators=(",", ":"), ensure_ascii=False).encode()


def classify(response: httpx.Response) -> SendOutcome:
    status = response.status_code
    if 200 <= status < 300:
        return Sent()
    if status == 429 or status >= 500:
        return Transient(f"http_{status}", parse_retry_after(response.headers.get("Retry-After")))
    if status == 408:
        return Transient("http_408")
    return Permanent(f"http_{status}")


class WebhookSender:
    def __init__(
        self,
        client: httpx.AsyncClient,
        *,
        timeout_seconds: float,
        wall_clock: Callable[[], float] = time.time,
    ) -> None:
        self.client = client
        self.timeout_seconds = timeout_seconds
        # The signature's t= is checked against the receiver's real clock: wall time, always.
        self.wall_clock = wall_clock

    async def send(
        self,
        url: str,
        secrets: Sequence[SecretStr],
        payload: bytes,
        *,
        delivery_id: str,
        event_type: str,
    ) -> SendOutcome:
        headers = {
            "Content-Type": "application/json",
            "User-Agent": USER_AGENT,
            signing.HEADER: signing.sign(
                payload, [s.get_secret_value() for s in secrets], int(self.wall_clock())
            ),
            "Suivi-Delivery-Id": delivery_id,
            "Suivi-Event-Type": event_type,
        }
        try:
            response = await self.client.post(
                url, content=payload, headers=headers, timeout=self.timeout_seconds
            )
        except httpx.TimeoutException:
            return Transient("webhook_timeout")
        except httpx.TransportError:
            return Transient("webhook_unavailable")
        return classify(response)
