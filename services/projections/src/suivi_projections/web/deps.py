"""What the routers share: dependencies, limiters, key digests, response helpers."""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from fastapi import Response
from fastapi.responses import HTMLResponse, JSONResponse
from pydantic import BaseModel

from suivi_projections.query.live import LiveHub
from suivi_projections.query.views import ReadModel
from suivi_projections.web.metrics import ApiMetrics
from suivi_projections.web.pages.render import Html
from suivi_projections.web.ratelimit import Counters, Limit, LookupLimiter, MemoryCounters
from suivi_projections.web.settings import ApiSettings

# Status and share tokens are opaque; anything outside URL-safe characters is not one.
TOKEN = re.compile(r"[A-Za-z0-9._~-]{8,128}")


class ErrorBody(BaseModel):
    error: str
    detail: str


def error_response(
    status: int, error: str, detail: str, headers: Mapping[str, str] | None = None
) -> Response:
    merged = {"Cache-Control": "no-store", **(headers or {})}
    return JSONResponse({"error": error, "detail": detail}, status_code=status, headers=merged)


def html_response(
    page: Html, status: int = 200, headers: Mapping[str, str] | None = None
) -> Response:
    return HTMLResponse(page.body, status_code=status, headers={**page.headers, **(headers or {})})


class Digester:
    """Keyed SHA-256 with a per-process random key: equal-length values for
    `hmac.compare_digest`, so comparisons take the same time whatever the inputs' lengths."""

    def __init__(self) -> None:
        self._key = secrets.token_bytes(32)

    def __call__(self, value: str) -> bytes:
        return hmac.new(self._key, value.encode("utf-8"), hashlib.sha256).digest()


@dataclass(frozen=True, slots=True)
class ApiContext:
    settings: ApiSettings
    read_model: ReadModel
    hub: LiveHub
    metrics: ApiMetrics
    limits: LookupLimiter
    digest: Digester
    merchant_keys: tuple[tuple[bytes, str], ...]  # (digest of key, merchant)
    dummy_email: bytes  # compared against when the order is unknown

    @classmethod
    def build(
        cls,
        settings: ApiSettings,
        read_model: ReadModel,
        hub: LiveHub,
        metrics: ApiMetrics,
        clock: Callable[[], float],
        counters: Counters | None = None,
    ) -> ApiContext:
        digest = Digester()
        hub.attach_counter(metrics.sse_subscribers.set)
        return cls(
            settings=settings,
            read_model=read_model,
            hub=hub,
            metrics=metrics,
            limits=LookupLimiter(
                counters if counters is not None else MemoryCounters(),
                settings.tokens.token_key,
                per_client=Limit(settings.lookup_per_ip, settings.lookup_per_ip_seconds),
                per_order_email=Limit(
                    settings.lookup_per_order_email, settings.lookup_per_order_email_seconds
                ),
                emails_per_order=Limit(
                    settings.lookup_emails_per_order, settings.lookup_emails_per_order_seconds
                ),
                clock=clock,
            ),
            digest=digest,
            merchant_keys=tuple(
                (digest(key), merchant) for merchant, key in settings.merchant_key_pairs()
            ),
            dummy_email=digest(secrets.token_urlsafe(24) + "@invalid.example"),
        )

    def merchant_for_key(self, presented: str) -> str | None:
        """The merchant whose key this is; every configured key is compared, in constant time,
        so the answer's timing tells nothing about which key or how many characters matched."""
        given = self.digest(presented)
        found: str | None = None
        for expected, merchant in self.merchant_keys:
            if hmac.compare_digest(expected, given):
                found = merchant
        return found
