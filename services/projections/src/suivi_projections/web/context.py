"""What the routes share: the context built with the app, the backends built on the pool.

`ApiContext` needs no server (settings, live hub, metrics, merchant key digests); `Backends`
(read model, lookup limiter, analytics) are made of the PostgreSQL pool, which belongs to the
running event loop, so the composition root installs them in the app's lifespan (tests install
fakes at once). Routes reach both through `deps`.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass

from fastapi import FastAPI

from suivi_infra.merchants import KeyLookup
from suivi_projections.query.analytics import AnalyticsSource
from suivi_projections.query.live import LiveHub
from suivi_projections.query.views import ReadModel
from suivi_projections.web.metrics import ApiMetrics
from suivi_projections.web.ratelimit import Counters, Limit, LookupLimiter, MemoryCounters
from suivi_projections.web.settings import ApiSettings
from suivi_projections.web.shops import Shops, StaticShops

# Status and share tokens are opaque; anything outside URL-safe characters is not one.
TOKEN = re.compile(r"[A-Za-z0-9._~-]{8,128}")


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
    hub: LiveHub
    metrics: ApiMetrics
    digest: Digester
    merchant_keys: tuple[tuple[bytes, str], ...]  # (digest of key, merchant)
    dummy_email: bytes  # compared against when the order is unknown
    shops: Shops  # display names of the shops (settings; the merchant directory may replace it)
    # The console's keys (merchants.v1): asked when no environment key matches.
    directory: KeyLookup | None = None

    @classmethod
    def build(
        cls, settings: ApiSettings, hub: LiveHub, metrics: ApiMetrics,
        directory: KeyLookup | None = None, shops: Shops | None = None,
    ) -> ApiContext:  # fmt: skip
        digest = Digester()
        hub.attach_counter(metrics.sse_subscribers.set)
        return cls(
            settings=settings,
            hub=hub,
            metrics=metrics,
            digest=digest,
            merchant_keys=tuple(
                (digest(key), merchant) for merchant, key in settings.merchant_key_pairs()
            ),
            dummy_email=digest(secrets.token_urlsafe(24) + "@invalid.example"),
            shops=shops or StaticShops(settings.merchant_names, settings.merchant_branding),
            directory=directory,
        )

    def merchant_for_key(self, presented: str) -> str | None:
        """The merchant whose key this is; every configured key is compared, in constant time,
        so the answer's timing tells nothing about which key or how many characters matched."""
        given = self.digest(presented)
        found: str | None = None
        for expected, merchant in self.merchant_keys:
            if hmac.compare_digest(expected, given):
                found = merchant
        if found is None and self.directory is not None:
            found = self.directory.merchant_for(presented)
        return found


@dataclass(frozen=True, slots=True)
class Backends:
    """What the routes read and count through. Without `analytics` its routes answer 503."""

    read_model: ReadModel
    limits: LookupLimiter
    analytics: AnalyticsSource | None = None


def lookup_limiter(
    settings: ApiSettings, counters: Counters | None, clock: Callable[[], float]
) -> LookupLimiter:
    """The shopper lookup limits of `settings`, counted in `counters` (in memory by default)."""
    return LookupLimiter(
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
    )


def install(app: FastAPI, backends: Backends) -> None:
    """Makes `backends` what the app's routes use (see `deps`)."""
    app.state.backends = backends
