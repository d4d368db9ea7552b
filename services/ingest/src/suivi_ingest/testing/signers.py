"""Request signers for tests of this and other services: each provider's webhook headers,
Shopify's, and a merchant's API key.

The signers follow the providers' documentation with the `hmac` module directly, independently
of the verifiers (`suivi_ingest.webhooks.signatures`, and `suivi_infra.signing` for the timestamped
`t=…,v1=…` scheme), so a test that uses them checks the verifiers against the spec.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import unicodedata


def easypost_headers(body: bytes, secret: str) -> dict[str, str]:
    key = unicodedata.normalize("NFKD", secret).encode()
    return {
        "X-Hmac-Signature": "hmac-sha256-hex=" + hmac.new(key, body, hashlib.sha256).hexdigest()
    }


def aftership_headers(body: bytes, secret: str) -> dict[str, str]:
    digest = hmac.new(secret.encode(), body, hashlib.sha256).digest()
    return {"aftership-hmac-sha256": base64.b64encode(digest).decode()}


def seventeentrack_headers(body: bytes, api_key: str) -> dict[str, str]:
    return {"sign": hashlib.sha256(body + b"/" + api_key.encode()).hexdigest()}


def fedex_headers(body: bytes, secret: str) -> dict[str, str]:
    digest = hmac.new(secret.encode(), body, hashlib.sha256).digest()
    return {"fdx-signature": base64.b64encode(digest).decode()}


def ups_headers(_: bytes, credential: str) -> dict[str, str]:
    return {"credential": credential, "User-Agent": "UPSPubSubTrackingService"}


def dhl_headers(_: bytes, token: str) -> dict[str, str]:
    return {"X-Suivi-Token": token}


def stripe_like(body: bytes, secrets: list[str], timestamp: int) -> str:
    """`t=<timestamp>,v1=<hex HMAC-SHA256 of "<t>.<body>">` with one v1= per secret."""
    signed = str(timestamp).encode() + b"." + body
    v1 = [hmac.new(s.encode(), signed, hashlib.sha256).hexdigest() for s in secrets]
    return ",".join([f"t={timestamp}", *(f"v1={d}" for d in v1)])


def shippo_headers(body: bytes, secret: str, timestamp: int) -> dict[str, str]:
    return {"Shippo-Auth-Signature": stripe_like(body, [secret], timestamp)}


def suivi_headers(body: bytes, secret: str, timestamp: int) -> dict[str, str]:
    return {"Suivi-Signature": stripe_like(body, [secret], timestamp)}


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
