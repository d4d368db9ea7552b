"""After-sales settings, from the environment: SUIVI_AFTERSALES_* plus the shared KAFKA_*,
DATABASE_URL and SUIVI_TOKEN_KEY (the page-token key every service shares). Secrets come from
the process environment only."""

from __future__ import annotations

from datetime import timedelta

from pydantic import Field, SecretStr, field_validator

from suivi_aftersales.domain.claims import ClaimRules
from suivi_aftersales.web.fonts import DEFAULT_DIRS
from suivi_infra.merchant_keys import parse_merchant_keys
from suivi_infra.settings import EnvOnlySettings, KafkaSettings, PostgresSettings
from suivi_infra.tokens import TokenSettings
from suivi_schemas.topics import AFTERSALES_DLQ, ALERTS, CLAIMS, MERCHANTS, ORDERS, RETURNS, STATUS


class AftersalesSettings(EnvOnlySettings):
    model_config = EnvOnlySettings.model_config | {
        "env_prefix": "SUIVI_AFTERSALES_",
        "hide_input_in_errors": True,  # a refused value may be a secret: never quote it
    }

    kafka: KafkaSettings = Field(default_factory=KafkaSettings)
    postgres: PostgresSettings = Field(default_factory=PostgresSettings)
    tokens: TokenSettings = Field(default_factory=TokenSettings)

    host: str = "127.0.0.1"
    port: int = Field(default=8094, ge=1, le=65535)
    metrics_port: int = Field(default=8095, ge=0, le=65535, description="0: no metrics server.")
    log_level: str = "INFO"
    merchant_keys: SecretStr | None = Field(
        default=None, description="'merchant:key,…' — the same keys as the order API."
    )
    migrate_on_start: bool = False
    # Merchants and their keys from the console (docs/console.md), beside merchant_keys.
    merchants_topic: str = MERCHANTS.name
    merchant_directory: bool = Field(
        default=True, description="Learn merchant API keys from merchants.v1 (the console)."
    )

    orders_topic: str = ORDERS.name
    status_topic: str = STATUS.name
    alerts_topic: str = ALERTS.name
    returns_topic: str = RETURNS.name
    claims_topic: str = CLAIMS.name
    dlq_topic: str = Field(default=AFTERSALES_DLQ.name, description="Created by suivi-topics.")
    group_id: str = "suivi-aftersales"
    consume: bool = True
    max_records: int = Field(default=500, ge=1)
    batch_timeout_ms: int = Field(default=200, ge=0)
    shutdown_timeout_seconds: float = Field(default=30.0, gt=0)
    retry_backoff_seconds: float = Field(default=1.0, ge=0)

    schedule_enabled: bool = True
    schedule_idle_seconds: float = Field(default=5.0, gt=0)
    relay_idle_seconds: float = Field(default=0.25, gt=0)
    gauge_refresh_seconds: float = Field(default=30.0, gt=0)
    form_ttl_seconds: int = Field(default=3600, ge=60, description="A form's CSRF token lifetime.")
    page_posts_per_hour: int = Field(default=30, ge=1, description="Form posts per page token.")
    client_posts_per_hour: int = Field(default=120, ge=1, description="Form posts per client.")
    claims_not_received_hours: float = Field(default=24, gt=0, description="After 'delivered'.")
    claims_first_response_hours: float = Field(default=24, gt=0, description="Merchant target.")
    dossier_font_dirs: str = Field(
        default=DEFAULT_DIRS,
        description="':'-separated folders searched for the claim dossier's fonts (DejaVu Sans, "
        "a CJK fallback); none found: Latin-1 only.",
    )

    def claim_rules(self) -> ClaimRules:
        return ClaimRules(
            not_received_after=timedelta(hours=self.claims_not_received_hours),
            first_response_target=timedelta(hours=self.claims_first_response_hours),
        )

    @field_validator("merchant_keys")
    @classmethod
    def _keys_parse(cls, value: SecretStr | None) -> SecretStr | None:
        parse_merchant_keys(value)  # refuses a malformed entry at start, without quoting it
        return value

    def merchant_key_pairs(self) -> tuple[tuple[str, str], ...]:
        return parse_merchant_keys(self.merchant_keys)
