"""Test support for order intake: a fake order publisher and a Shopify signer.

The signer follows Shopify's documentation with `hmac` and `base64` directly, independently of
`suivi_ingest.shopify`, so a test that uses it checks the verifier against the spec.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
from dataclasses import dataclass, field

from suivi_schemas.orders import OrderEvent


def shopify_headers(
    body: bytes,
    secret: str,
    *,
    topic: str,
    shop: str,
    webhook_id: str | None = None,
) -> dict[str, str]:
    """The headers Shopify sends with `body` (Content-Type included)."""
    digest = hmac.new(secret.encode(), body, hashlib.sha256).digest()
    headers = {
        "Content-Type": "application/json",
        "X-Shopify-Topic": topic,
        "X-Shopify-Shop-Domain": shop,
        "X-Shopify-Hmac-SHA256": base64.b64encode(digest).decode(),
        "X-Shopify-API-Version": "2025-10",
    }
    if webhook_id is not None:
        headers["X-Shopify-Webhook-Id"] = webhook_id
    return headers


def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}", "Content-Type": "application/json"}


@dataclass
class FakeOrderPublisher:
    """Records what would have gone to Kafka; can be told to fail or hang."""

    published: list[tuple[OrderEvent, str]] = field(default_factory=list)
    failure: Exception | None = None
    delay: float = 0.0

    async def publish(self, event: OrderEvent, key: str) -> None:
        if self.delay:
            await asyncio.sleep(self.delay)
        if self.failure is not None:
            raise self.failure
        self.published.append((event, key))
