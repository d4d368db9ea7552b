"""Which sources are configured, from SUIVI_TRACKER_* (secrets from the environment only).

A source is enabled when its credentials are set. Nested fields use `__`:
`SUIVI_TRACKER_LAPOSTE__API_KEY`, `SUIVI_TRACKER_USPS__CLIENT_ID`, `SUIVI_TRACKER_DHL__RATE`…
Every `base_url` defaults to the provider's production URL (tests and `make run` point them at
the stand-ins). Rate limits default to the documented ones; each can be overridden.
"""

from __future__ import annotations

from pydantic import BaseModel, Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from suivi_tracker.adapters.sources.aftership import AfterShipSource
from suivi_tracker.adapters.sources.base import BaseSource
from suivi_tracker.adapters.sources.carrier_config import (
    CarrierLimits,
    CarrierSettings,
    build_carrier_sources,
)
from suivi_tracker.adapters.sources.dhl import DhlSource
from suivi_tracker.adapters.sources.easypost import EasyPostSource
from suivi_tracker.adapters.sources.fedex import FedExSource
from suivi_tracker.adapters.sources.http import SourceHttp, basic_auth_header, keyed, secret
from suivi_tracker.adapters.sources.laposte import LaPosteSource
from suivi_tracker.adapters.sources.limits import DailyQuota, TokenBucket
from suivi_tracker.adapters.sources.oauth import ClientCredentials
from suivi_tracker.adapters.sources.seventeentrack import SeventeenTrackSource
from suivi_tracker.adapters.sources.shippo import ShippoSource
from suivi_tracker.adapters.sources.ups import UpsAlertSource, UpsSource
from suivi_tracker.adapters.sources.usps import UspsSource
from suivi_tracker.domain.sources import Source


class Limits(BaseModel):
    """A token bucket: `rate` calls per second, `burst` at once."""

    rate: float = Field(default=5.0, gt=0)
    burst: int = Field(default=5, ge=1)


class KeySource(Limits):
    api_key: SecretStr | None = None
    base_url: str = ""


class OAuthSource(Limits):
    client_id: str | None = None
    client_secret: SecretStr | None = None
    base_url: str = ""


class LaPosteSettings(KeySource):
    base_url: str = "https://api.laposte.fr/suivi/v2"
    lang: str = "fr_FR"


class UspsSettings(OAuthSource):
    base_url: str = "https://apis.usps.com"
    # USPS's APIs allow 60 calls an hour per application unless a higher quota is granted.
    rate: float = Field(default=60 / 3600, gt=0)
    burst: int = Field(default=10, ge=1)


class UpsSettings(OAuthSource):
    base_url: str = "https://onlinetools.ups.com"
    merchant_id: str | None = None  # x-merchant-id on the token request (optional)
    # Track Alert: subscribe instead of polling, UPS then POSTs to ingest with this credential
    # (the same value as ingest's SUIVI_INGEST_UPS_CREDENTIAL).
    alert_credential: SecretStr | None = None


class FedExSettings(OAuthSource):
    base_url: str = "https://apis.fedex.com"
    # FedEx: 1,400 transactions per 10 seconds (averaged over 2 minutes) per project.
    rate: float = Field(default=140.0, gt=0)
    burst: int = Field(default=140, ge=1)


class DhlSettings(KeySource):
    base_url: str = "https://api-eu.dhl.com"
    # DHL's default plan: 250 calls a day, at most one every 5 seconds.
    rate: float = Field(default=0.2, gt=0)
    burst: int = Field(default=1, ge=1)
    daily_quota: int = Field(default=250, ge=1)


class EasyPostSettings(KeySource):
    base_url: str = "https://api.easypost.com/v2"


class AfterShipSettings(KeySource):
    base_url: str = "https://api.aftership.com/tracking/2026-07"
    rate: float = Field(default=10.0, gt=0)  # AfterShip: 10 requests per second
    burst: int = Field(default=10, ge=1)


class SeventeenTrackSettings(KeySource):
    base_url: str = "https://api.17track.net/track/v2.2"
    rate: float = Field(default=3.0, gt=0)  # 17TRACK: 3 requests per second
    burst: int = Field(default=3, ge=1)


class ShippoSettings(KeySource):
    base_url: str = "https://api.goshippo.com"
    rate: float = Field(default=1.0, gt=0)
    burst: int = Field(default=5, ge=1)


class SourcesSettings(BaseSettings, CarrierSettings):
    """Every external source; composed into the tracker's settings."""

    model_config = SettingsConfigDict(
        env_prefix="SUIVI_TRACKER_", env_nested_delimiter="__", extra="ignore"
    )

    # Public base URL of ingest (https://suivi.example.com): push sources that take a
    # destination per subscription (UPS Track Alert, DHL push) get <base>/v1/webhooks/<slug>.
    ingest_base_url: str = "http://127.0.0.1:8080"
    timeout_seconds: float = Field(default=10.0, gt=0)
    # Longest wait for a rate-limit token inside a call; longer → RateLimited to reschedule.
    max_rate_wait_seconds: float = Field(default=2.0, ge=0)

    laposte: LaPosteSettings = LaPosteSettings()
    usps: UspsSettings = UspsSettings()
    ups: UpsSettings = UpsSettings()
    fedex: FedExSettings = FedExSettings()
    dhl: DhlSettings = DhlSettings()
    easypost: EasyPostSettings = EasyPostSettings()
    aftership: AfterShipSettings = AfterShipSettings()
    seventeentrack: SeventeenTrackSettings = SeventeenTrackSettings()
    shippo: ShippoSettings = ShippoSettings()

    def webhook_url(self, provider: str) -> str:
        return f"{self.ingest_base_url.rstrip('/')}/v1/webhooks/{provider}"


def _http(settings: SourcesSettings, conf: KeySource | OAuthSource | CarrierLimits) -> SourceHttp:
    return SourceHttp(
        conf.base_url,
        bucket=TokenBucket(conf.rate, conf.burst),
        timeout_seconds=settings.timeout_seconds,
        max_wait_seconds=settings.max_rate_wait_seconds,
    )


def _oauth(
    settings: SourcesSettings,
    conf: OAuthSource,
    token_path: str,
    style: str,
    extra: dict[str, str] | None = None,
) -> SourceHttp:
    http = _http(settings, conf)
    http.auth = ClientCredentials(
        http.client,
        token_path,
        conf.client_id or "",
        secret(conf.client_secret),
        style=style,  # type: ignore[arg-type]
        extra_headers=extra,
    )
    return http


def _oauth_ready(conf: OAuthSource) -> bool:
    return bool(conf.client_id and secret(conf.client_secret))


def build_sources(settings: SourcesSettings) -> list[Source]:
    """The configured sources only (those whose credentials are set), carriers' own first."""
    built: list[BaseSource] = []
    s = settings
    if key := secret(s.laposte.api_key):
        http = keyed(_http(s, s.laposte), {"X-Okapi-Key": key})
        built.append(LaPosteSource(http, lang=s.laposte.lang))
    if _oauth_ready(s.usps):
        built.append(UspsSource(_oauth(s, s.usps, "/oauth2/v3/token", "json")))
    if _oauth_ready(s.ups):
        extra = {"x-merchant-id": s.ups.merchant_id} if s.ups.merchant_id else None
        ups = _oauth(s, s.ups, "/security/v1/oauth/token", "basic", extra)
        built.append(UpsSource(ups))
        if credential := secret(s.ups.alert_credential):
            # Same application at UPS: one rate limit and one token for both APIs.
            http = _http(s, s.ups)
            http.bucket, http.auth = ups.bucket, ups.auth
            built.append(UpsAlertSource(http, s.webhook_url("ups"), credential))
    if _oauth_ready(s.fedex):
        built.append(FedExSource(_oauth(s, s.fedex, "/oauth/token", "form")))
    if key := secret(s.dhl.api_key):
        quota = DailyQuota(s.dhl.daily_quota)
        built.append(DhlSource(keyed(_http(s, s.dhl), {"DHL-API-Key": key}), quota))
    if key := secret(s.easypost.api_key):
        auth = basic_auth_header(key, "")
        built.append(EasyPostSource(keyed(_http(s, s.easypost), auth)))
    if key := secret(s.aftership.api_key):
        built.append(AfterShipSource(keyed(_http(s, s.aftership), {"as-api-key": key})))
    if key := secret(s.seventeentrack.api_key):
        built.append(SeventeenTrackSource(keyed(_http(s, s.seventeentrack), {"17token": key})))
    if key := secret(s.shippo.api_key):
        built.append(
            ShippoSource(keyed(_http(s, s.shippo), {"Authorization": f"ShippoToken {key}"}))
        )
    built += build_carrier_sources(s, lambda conf: _http(s, conf))
    return list(built)
