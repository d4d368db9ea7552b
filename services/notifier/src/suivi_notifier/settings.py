"""The notifier's settings, from the environment: SUIVI_NOTIFIER_* (and per channel
SUIVI_NOTIFIER_SMTP_*, SUIVI_NOTIFIER_SMS_*, SUIVI_NOTIFIER_PUSH_*), plus the shared KAFKA_*,
DATABASE_URL and SUIVI_TOKEN_KEY. Secrets come from the process environment only."""

from __future__ import annotations

from datetime import time

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator, model_validator
from pydantic_settings import SettingsConfigDict

from suivi_infra.settings import EnvOnlySettings, KafkaSettings, PostgresSettings
from suivi_infra.tokens import TokenSettings
from suivi_notifier.domain.triggers import ALERT_TRIGGERS, TRIGGERS, TriggerPolicy, parse_triggers
from suivi_schemas.topics import (
    ALERTS,
    CLAIMS,
    LEGS,
    MERCHANTS,
    NOTIFICATIONS,
    NOTIFICATIONS_DLQ,
    ORDERS,
    RETURNS,
    STATUS,
)

# Input the notifier cannot read: the record's bytes, with `suivi-dlq-*` headers saying why.
NOTIFIER_DLQ = NOTIFICATIONS_DLQ


class SmtpSettings(EnvOnlySettings):
    """Email over SMTP; unset host disables the channel."""

    model_config = SettingsConfigDict(env_prefix="SUIVI_NOTIFIER_SMTP_", extra="ignore")

    host: str | None = None
    port: int = Field(default=587, ge=1, le=65535)
    username: str | None = None
    password: SecretStr | None = None
    use_tls: bool = Field(default=False, description="Implicit TLS (port 465).")
    start_tls: bool | None = Field(default=None, description="None: STARTTLS when offered.")
    validate_certs: bool = True
    from_address: str = "notifications@localhost"
    from_name: str = "Suivi"
    timeout_seconds: float = Field(default=30.0, gt=0)
    message_id_domain: str = Field(default="suivi.local", description="Right side of Message-ID.")
    unsubscribe_mailto: str | None = Field(
        default=None, description="Optional mailto: target added to List-Unsubscribe."
    )


class SmsSettings(EnvOnlySettings):
    """SMS through an HTTP provider speaking Twilio's Messages API; unset sid disables it."""

    model_config = SettingsConfigDict(env_prefix="SUIVI_NOTIFIER_SMS_", extra="ignore")

    base_url: str = "https://api.twilio.com"
    account_sid: str | None = None
    auth_token: SecretStr | None = None
    from_number: str | None = Field(default=None, description="E.164 sender ('From').")
    messaging_service_sid: str | None = Field(default=None, description="Instead of From.")
    timeout_seconds: float = Field(default=15.0, gt=0)
    quiet_start: time = time(21, 0)
    quiet_end: time = time(8, 0)
    default_timezone: str = Field(default="UTC", description="For recipients with a bad zone.")


class PushSettings(EnvOnlySettings):
    """Web push (RFC 8030/8291) with VAPID (RFC 8292); unset private key disables it."""

    model_config = SettingsConfigDict(env_prefix="SUIVI_NOTIFIER_PUSH_", extra="ignore")

    vapid_private_key: SecretStr | None = Field(
        default=None, description="P-256 key: base64url of the 32-byte scalar, or PEM."
    )
    vapid_subject: str = Field(default="mailto:notifications@localhost", description="sub claim.")
    ttl_seconds: int = Field(default=86_400, ge=0)
    timeout_seconds: float = Field(default=15.0, gt=0)
    allow_insecure_endpoints: bool = Field(
        default=False, description="Accept http:// push endpoints (tests, local development)."
    )
    max_subscriptions_per_order: int = Field(default=10, ge=1)
    endpoint_hosts: list[str] = Field(
        default_factory=lambda: [
            "fcm.googleapis.com",
            "updates.push.services.mozilla.com",
            ".push.apple.com",
            ".notify.windows.com",
        ],
        description="Push services accepted (a leading dot: any subdomain); empty: any host. "
        "The notifier POSTs to registered endpoints: this keeps it from being pointed inward.",
    )


class MerchantAlerts(BaseModel):
    """How one merchant hears about its stalled / late / recovered shipments: a signed webhook
    per alert, an email digest every `digest_minutes`, or both."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    email: str | None = Field(default=None, description="Digest recipient.")
    digest_minutes: int = Field(default=60, ge=1, le=7 * 24 * 60)
    webhook_url: str | None = Field(default=None, pattern=r"^https?://")
    webhook_secret: SecretStr | None = Field(
        default=None, description="Signs each POST (Suivi-Signature, HMAC-SHA256)."
    )
    locale: str = Field(default="en", description="Language of the digest (en, fr).")
    timezone: str = Field(default="UTC", description="Times in the digest (IANA zone).")

    @model_validator(mode="after")
    def _complete(self) -> MerchantAlerts:
        if not self.email and not self.webhook_url:
            raise ValueError("give an email (digest), a webhook_url, or both")
        secret = self.webhook_secret.get_secret_value() if self.webhook_secret else ""
        if self.webhook_url and not secret:
            raise ValueError("a webhook_url needs a webhook_secret (requests are signed)")
        return self


class NotifierSettings(EnvOnlySettings):
    model_config = SettingsConfigDict(env_prefix="SUIVI_NOTIFIER_", extra="ignore")

    kafka: KafkaSettings = Field(default_factory=KafkaSettings)
    postgres: PostgresSettings = Field(default_factory=PostgresSettings)
    tokens: TokenSettings = Field(default_factory=TokenSettings)
    smtp: SmtpSettings = Field(default_factory=SmtpSettings)
    sms: SmsSettings = Field(default_factory=SmsSettings)
    push: PushSettings = Field(default_factory=PushSettings)

    group_id: str = "suivi-notifier"
    status_topic: str = STATUS.name
    orders_topic: str = ORDERS.name
    alerts_topic: str = ALERTS.name
    returns_topic: str = Field(default=RETURNS.name, description="Empty: not consumed.")
    claims_topic: str = Field(default=CLAIMS.name, description="Empty: not consumed.")
    legs_topic: str = Field(
        default=LEGS.name, description="Hand-offs between carriers (issue 17); empty: none."
    )
    merchants_topic: str = MERCHANTS.name
    results_topic: str = NOTIFICATIONS.name
    dlq_topic: str = NOTIFIER_DLQ.name
    max_records: int = Field(default=500, ge=1)
    batch_timeout_ms: int = Field(default=200, ge=1)
    shutdown_timeout_seconds: float = Field(default=30.0, gt=0)
    retry_backoff_seconds: float = Field(default=1.0, ge=0)

    host: str = "127.0.0.1"
    port: int = Field(default=8082, ge=0, le=65535)
    cors_origins: list[str] = Field(default_factory=list, description="Status page origins.")
    log_level: str = "INFO"
    migrate_on_start: bool = True

    status_page_base_url: str = Field(
        default="http://127.0.0.1:8081", description="Links are <this>/orders/<status token>."
    )
    public_base_url: str = Field(
        default="http://127.0.0.1:8082", description="This service as shoppers reach it."
    )
    aftersales_base_url: str = Field(
        default="http://127.0.0.1:8094",
        description="Return and claim pages: <this>/orders/<status token>/returns/<RMA>.",
    )
    merchant_names: dict[str, str] = Field(default_factory=dict, description="Display names.")
    merchant_directory: bool = Field(
        default=True,
        description="Follow merchants.v1 (the console's names and webhook endpoints) over the "
        "environment's settings; false: the environment only.",
    )
    merchant_directory_wait_seconds: float = Field(
        default=10.0, ge=0, description="At start, how long to wait for merchants.v1 to load."
    )
    sealing_key: SecretStr | None = Field(
        default=None, description="The console's sealing key: opens webhook secrets."
    )

    triggers: list[str] = Field(
        default_factory=lambda: [t.value for t in TRIGGERS] + list(ALERT_TRIGGERS),
        description="Statuses and alert kinds (stalled, late) that tell the shopper.",
    )
    merchant_triggers: dict[str, list[str]] = Field(
        default_factory=dict, description='Per merchant, e.g. {"shop": ["delivered"]}.'
    )
    merchant_alerts: dict[str, MerchantAlerts] = Field(
        default_factory=dict,
        description='Per merchant, e.g. {"shop": {"email": "ops@shop.example", '
        '"webhook_url": "https://shop.example/hooks/suivi", "webhook_secret": "…", '
        '"digest_minutes": 60}}.',
    )
    merchant_webhook_timeout_seconds: float = Field(default=10.0, gt=0)
    alert_claim_batch: int = Field(default=100, ge=1)
    debounce_seconds: float = Field(default=60.0, ge=0)
    max_event_age_hours: float = Field(
        default=48.0, gt=0, description="Older events never notify (late orders, backfills)."
    )

    poll_interval_seconds: float = Field(default=1.0, gt=0)
    claim_batch: int = Field(default=50, ge=1)
    send_concurrency: int = Field(default=16, ge=1)
    lease_seconds: float = Field(
        default=120.0, gt=0, description="A claimed send not recorded by then is retried."
    )
    retry_base_seconds: float = Field(default=30.0, gt=0)
    retry_max_seconds: float = Field(default=3600.0, gt=0)
    retry_after_max_seconds: float = Field(default=6 * 3600.0, gt=0)
    max_attempts: int = Field(default=10, ge=1)

    @field_validator("triggers")
    @classmethod
    def _known_triggers(cls, value: list[str]) -> list[str]:
        parse_triggers(value)
        return value

    @field_validator("merchant_triggers")
    @classmethod
    def _known_merchant_triggers(cls, value: dict[str, list[str]]) -> dict[str, list[str]]:
        for triggers in value.values():
            parse_triggers(triggers)
        return value

    def trigger_policy(self) -> TriggerPolicy:
        return TriggerPolicy.build(self.triggers, self.merchant_triggers)
