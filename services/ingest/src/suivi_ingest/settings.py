"""Ingest configuration: one `IngestSettings`, from SUIVI_INGEST_* (and the shared KAFKA_*)."""

from __future__ import annotations

import socket

from pydantic import Field, SecretStr
from pydantic_settings import SettingsConfigDict

from suivi_infra.message_size import Compression
from suivi_infra.settings import EnvOnlySettings, KafkaSettings
from suivi_schemas.topics import MERCHANTS, ORDERS, RAW

MIB = 1024 * 1024


def split_secrets(value: SecretStr | None) -> tuple[str, ...]:
    """Comma-separated values (key rotation: old and new both accepted), blanks dropped."""
    if value is None:
        return ()
    return tuple(part.strip() for part in value.get_secret_value().split(",") if part.strip())


class IngestSettings(EnvOnlySettings):
    """Everything the ingest service needs; provider secrets come from the environment only."""

    model_config = SettingsConfigDict(env_prefix="SUIVI_INGEST_", extra="ignore")

    host: str = "127.0.0.1"
    port: int = Field(default=8080, ge=1, le=65535)
    metrics_host: str = "127.0.0.1"
    metrics_port: int = Field(
        default=8088,
        ge=0,
        le=65535,
        description="Prometheus /metrics, off the public port (0: none).",
    )
    max_body_bytes: int = Field(default=MIB, ge=1)
    max_message_bytes: int = Field(
        default=RAW.max_message_bytes,
        ge=1024,
        description="The raw and orders topics' max.message.bytes: the largest stored event, "
        "after compression. A larger one is refused 413 before it is sent.",
    )
    compression: Compression = Field(
        default="zstd",
        description="Producer compression: JSON shrinks several times, so a body near the body "
        "limit still fits in one Kafka message.",
    )
    linger_ms: int = Field(
        default=5,
        ge=0,
        description="How long the producer waits to fill a batch: fewer, larger Kafka requests "
        "under load, at that cost in answer time.",
    )
    # Providers give up after 5-10 s: with Kafka slow or gone, a 503 + Retry-After within this
    # bound (chaos table: broker paused, killed) rather than the connection cut by the provider.
    publish_timeout_seconds: float = Field(
        default=3.0, gt=0, description="Longest wait for Kafka's acknowledgement before a 503."
    )
    retry_after_seconds: int = Field(default=30, ge=1)
    signature_tolerance_seconds: int = Field(
        default=300, ge=1, description="Replay window of timestamped signatures (suivi, shippo)."
    )
    readiness_probe_seconds: float = Field(default=2.0, gt=0)
    shutdown_grace_seconds: float = Field(default=20.0, ge=0)
    raw_topic: str = RAW.name
    instance: str = Field(default_factory=socket.gethostname, max_length=255)
    log_level: str = "INFO"

    # Order intake (docs/orders.md).
    orders_topic: str = ORDERS.name
    # Merchants and their keys from the console (docs/console.md), beside merchant_keys.
    merchants_topic: str = MERCHANTS.name
    merchant_directory: bool = Field(
        default=True, description="Learn merchant API keys from merchants.v1 (the console)."
    )
    merchant_keys: SecretStr | None = Field(
        default=None,
        description="Merchant API keys, 'merchant:key,…' (a merchant may have several: rotation).",
    )
    shopify_secret: SecretStr | None = Field(
        default=None, description="Shopify app client secret(s) (X-Shopify-Hmac-SHA256)."
    )
    shopify_shops: str = Field(
        default="",
        description="Shopify shops and their merchant ids: 'shop.myshopify.com:merchant,…'.",
    )

    easypost_secret: SecretStr | None = None
    aftership_secret: SecretStr | None = None
    shippo_secret: SecretStr | None = Field(
        default=None, description="Key of Shippo's HMAC (Shippo-Auth-Signature header)."
    )
    shippo_token: SecretStr | None = Field(
        default=None, description="Shippo's self-generated token (?token= in the webhook URL)."
    )
    suivi_secret: SecretStr | None = None
    seventeentrack_secret: SecretStr | None = Field(
        default=None, description="17TRACK API key: `sign` = SHA-256 of body + '/' + key."
    )
    ups_credential: SecretStr | None = Field(
        default=None, description="UPS Track Alert: the `credential` chosen in the subscription."
    )
    fedex_secret: SecretStr | None = Field(
        default=None, description="FedEx webhook security token (`fdx-signature` HMAC key)."
    )
    dhl_token: SecretStr | None = Field(
        default=None, description="DHL push: the token set as `X-Suivi-Token` in the subscription."
    )
    usps_secret: SecretStr | None = Field(
        default=None, description="Suivi-Signature key of the USPS poller/relay."
    )
    laposte_secret: SecretStr | None = Field(
        default=None, description="Suivi-Signature key of the La Poste (Suivi v2) poller."
    )
    # Issue 17's carriers, relayed like La Poste (webhooks/providers.py `relayed`).
    royal_mail_secret: SecretStr | None = None
    canada_post_secret: SecretStr | None = None
    australia_post_secret: SecretStr | None = None
    postnl_secret: SecretStr | None = None
    gls_secret: SecretStr | None = None
    dpd_secret: SecretStr | None = None
    mondial_relay_secret: SecretStr | None = None
    cainiao_secret: SecretStr | None = None
    yunexpress_secret: SecretStr | None = None
    fourpx_secret: SecretStr | None = None

    kafka: KafkaSettings = Field(default_factory=KafkaSettings)

    @property
    def max_request_bytes(self) -> int:
        """The producer's `max_request_size`: never the first to refuse a record."""
        # aiokafka compares it with the uncompressed record, while the publisher checks the
        # real (compressed) size first. JSON escaping at most doubles a body in its envelope.
        if self.compression == "none":
            return self.max_message_bytes
        return max(self.max_message_bytes, 2 * self.max_body_bytes + 64 * 1024)

    def values_of(self, field: str | None) -> tuple[str, ...]:
        """The configured values of one secret field (none when unset)."""
        if field is None:
            return ()
        value = getattr(self, field)
        if value is not None and not isinstance(value, SecretStr):
            raise TypeError(f"{field} is not a secret setting")
        return split_secrets(value)
