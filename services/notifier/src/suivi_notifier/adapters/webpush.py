"""Web push (RFC 8030) with aes128gcm message encryption (RFC 8291, RFC 8188) and VAPID.

Each subscription gets its own encryption (fresh ephemeral key and salt). Responses: 201/202
(200) → delivered; 404/410 → the subscription is gone and is removed; 429 and 5xx → transient
(Retry-After honoured); timeouts, refused connections → transient; other 4xx → permanent for
that subscription. The `Topic` header (one per shipment) lets the push service replace an
undelivered older message of the same shipment.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import json
import os
from collections.abc import Callable, Sequence
from dataclasses import KW_ONLY, dataclass
from datetime import UTC, datetime

import http_ece  # type: ignore[import-untyped]
import httpx
from cryptography.hazmat.primitives.asymmetric import ec

from suivi_notifier.adapters.pg_ledger import PushTarget
from suivi_notifier.adapters.render import PushPayload
from suivi_notifier.adapters.retry_after import parse_retry_after
from suivi_notifier.adapters.vapid import Vapid, b64url_decode
from suivi_notifier.domain.outcomes import Permanent, PushOutcome, SendOutcome, Sent, Transient

URGENT = frozenset({"out_for_delivery", "available_for_pickup", "delivery_attempt_failed"})


def topic_for(shipment_key: str) -> str:
    """RFC 8030 Topic: at most 32 characters of the base64url alphabet."""
    digest = hashlib.sha256(shipment_key.encode()).digest()
    return base64.urlsafe_b64encode(digest).decode()[:32]


def encrypt(payload: bytes, p256dh: str, auth: str) -> bytes:
    """aes128gcm body (RFC 8291): header (salt, rs, sender key) + one encrypted record."""
    receiver = b64url_decode(p256dh)
    secret = b64url_decode(auth)
    ephemeral = ec.generate_private_key(ec.SECP256R1())
    body: bytes = http_ece.encrypt(
        payload,
        salt=os.urandom(16),
        private_key=ephemeral,
        dh=receiver,
        auth_secret=secret,
        version="aes128gcm",
    )
    return body


def payload_bytes(payload: PushPayload, tag: str) -> bytes:
    document = {
        "title": payload.title,
        "body": payload.body,
        "url": payload.url,
        "lang": payload.lang,
        "tag": tag,
    }
    return json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode()


@dataclass(frozen=True, slots=True)
class _One:
    target: PushTarget
    outcome: SendOutcome
    gone: bool = False


@dataclass(frozen=True, slots=True)
class WebPushSender:
    vapid: Vapid
    client: httpx.AsyncClient
    _: KW_ONLY
    ttl_seconds: int
    timeout_seconds: float
    clock: Callable[[], datetime] = lambda: datetime.now(UTC)

    async def send(
        self, targets: Sequence[PushTarget], payload: bytes, *, topic: str, trigger: str
    ) -> PushOutcome:
        results = await asyncio.gather(*(self._one(t, payload, topic, trigger) for t in targets))
        delivered = tuple(r.target.id for r in results if isinstance(r.outcome, Sent))
        gone = tuple(r.target.id for r in results if r.gone)
        transient = [r.outcome for r in results if isinstance(r.outcome, Transient)]
        permanent = [r.outcome for r in results if isinstance(r.outcome, Permanent)]
        done = delivered + tuple(r.target.id for r in results if isinstance(r.outcome, Permanent))
        outcome: SendOutcome
        if transient:
            waits = [t.retry_after for t in transient if t.retry_after is not None]
            outcome = Transient(transient[0].error, max(waits) if waits else None)
        elif delivered:
            outcome = Sent()
        elif permanent:
            outcome = permanent[0]
        else:
            outcome = Permanent("push_no_subscription")
        return PushOutcome(done=done, gone=gone, outcome=outcome)

    async def _one(self, target: PushTarget, payload: bytes, topic: str, trigger: str) -> _One:
        try:
            body = encrypt(payload, target.p256dh, target.auth)
        except Exception:  # a key that does not decode or is not on the curve
            return _One(target, Permanent("push_bad_keys"))
        headers = {
            "TTL": str(self.ttl_seconds),
            "Content-Encoding": "aes128gcm",
            "Content-Type": "application/octet-stream",
            "Urgency": "high" if trigger in URGENT else "normal",
            "Topic": topic,
            "Authorization": self.vapid.authorization(target.endpoint, self.clock()),
        }
        try:
            response = await self.client.post(
                target.endpoint, content=body, headers=headers, timeout=self.timeout_seconds
            )
        except httpx.TimeoutException:
            return _One(target, Transient("push_timeout"))
        except httpx.TransportError:
            return _One(target, Transient("push_unavailable"))
        status = response.status_code
        if 200 <= status < 300:
            return _One(target, Sent())
        if status in (404, 410):
            return _One(target, Permanent(f"push_{status}"), gone=True)
        if status == 429 or status >= 500:
            retry = parse_retry_after(response.headers.get("Retry-After"))
            return _One(target, Transient(f"push_{status}", retry))
        return _One(target, Permanent(f"push_{status}"))
