"""Query-side configuration: one `ApiSettings`, from SUIVI_PROJECTIONS_* (and DATABASE_URL)."""

from __future__ import annotations

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

from suivi_infra.settings import KafkaSettings, PostgresSettings
from suivi_infra.tokens import TokenSettings
from suivi_schemas.merchants import Branding
from suivi_schemas.topics import MERCHANTS


def parse_merchant_keys(value: SecretStr | None) -> tuple[tuple[str, str], ...]:
    """`shop-a:key1,shop-b:key2,shop-a:key3` → ((merchant, key), …); a merchant may have several
    keys (rotation). Malformed entries are refused rather than silently ignored."""
    if value is None:
        return ()
    pairs: list[tuple[str, str]] = []
    for entry in value.get_secret_value().split(","):
        entry = entry.strip()
        if not entry:
            continue
        merchant, sep, key = entry.partition(":")
        if not sep or not merchant.strip() or len(key.strip()) < 16:
            # Never quote the entry: it holds a secret.
            raise ValueError(
                f"SUIVI_PROJECTIONS_MERCHANT_KEYS entry #{len(pairs) + 1} is not "
                "'merchant:key' with a key of at least 16 characters"
            )
        pairs.append((merchant.strip().lower(), key.strip()))
    return tuple(pairs)


class ApiSettings(BaseSettings):
    """Everything the API and status page need; merchant keys come from the environment only."""

    model_config = SettingsConfigDict(env_prefix="SUIVI_PROJECTIONS_", extra="ignore")

    host: str = "127.0.0.1"
    port: int = Field(default=8081, ge=1, le=65535)
    # api_ in the name: the projector's metrics_port shares the SUIVI_PROJECTIONS_ prefix.
    api_metrics_host: str = "127.0.0.1"
    api_metrics_port: int = Field(
        default=8089,
        ge=0,
        le=65535,
        description="Prometheus /metrics, off the public port (0: none).",
    )
    forwarded_allow_ips: str = Field(
        default="127.0.0.1",
        description="Proxies whose X-Forwarded-For is trusted for the client IP (rate limits).",
    )
    log_level: str = "INFO"
    shutdown_grace_seconds: float = Field(default=10.0, ge=0)
    readiness_probe_seconds: float = Field(default=2.0, gt=0)

    merchant_keys: SecretStr | None = Field(
        default=None, description="'merchant:key,…' — Bearer keys of the merchant API."
    )
    aftersales_base_url: str | None = Field(
        default=None,
        description="Where after-sales serves the shopper's return and claim pages (the private "
        "page links to them); unset: no link.",
    )
    # Merchants and their keys from the console (docs/console.md), beside merchant_keys.
    kafka: KafkaSettings = Field(default_factory=KafkaSettings)
    merchants_topic: str = MERCHANTS.name
    merchant_directory: bool = Field(
        default=True, description="Learn merchant API keys from merchants.v1 (the console)."
    )
    merchant_names: dict[str, str] = Field(
        default_factory=dict,
        description='JSON {"merchant id": "Shop name"}: the names pages and lookup forms show.',
    )
    merchant_branding: dict[str, Branding] = Field(
        default_factory=dict,
        description='JSON {"merchant id": {"display_name", "colour", "contact_email", …}} until '
        "the console's merchants.v1 records are followed; colours are made readable (4.5:1).",
    )

    # Shopper lookup limits (suivi_projections.ratelimit): attempts per fixed window, counted
    # in PostgreSQL for every API process; keyed with SUIVI_TOKEN_KEY (`tokens`).
    lookup_per_ip: int = Field(default=10, ge=1)
    lookup_per_ip_seconds: float = Field(default=60.0, gt=0)
    lookup_per_order_email: int = Field(default=5, ge=1)
    lookup_per_order_email_seconds: float = Field(default=600.0, gt=0)
    lookup_emails_per_order: int = Field(
        default=20, ge=1, description="Distinct emails tried for one order, from anywhere."
    )
    lookup_emails_per_order_seconds: float = Field(default=3600.0, gt=0)

    # Live updates (Server-Sent Events).
    sse_heartbeat_seconds: float = Field(default=15.0, gt=0)
    sse_max_stream_seconds: float = Field(
        default=1800.0, gt=0, description="Streams end after this; browsers reconnect."
    )
    sse_max_subscribers: int = Field(default=10_000, ge=1)
    listener_probe_seconds: float = Field(default=30.0, gt=0)
    listener_retry_seconds: float = Field(default=2.0, gt=0)

    merchant_page_limit: int = Field(default=50, ge=1, le=500)

    # The shopper's dashboard (docs/dashboard.md): sign-in links mailed through the SMTP
    # server the notifier uses (suivi_infra.mail), sessions, and its request limits.
    public_base_url: str = Field(
        default="http://127.0.0.1:8081",
        description="Where shoppers reach this API: sign-in links in mails (never the request's "
        "Host header).",
    )
    smtp_host: str = "127.0.0.1"
    smtp_port: int = Field(default=2525, ge=1, le=65535)
    smtp_starttls: bool = False
    smtp_username: str | None = None
    smtp_password: SecretStr | None = None
    smtp_from_address: str = "orders@suivi.localhost"
    dashboard_link_minutes: int = Field(default=15, ge=1, le=60)
    dashboard_idle_minutes: int = Field(default=30, ge=1)
    dashboard_absolute_hours: int = Field(default=12, ge=1)
    dashboard_max_orders: int = Field(default=100, ge=1, le=500)
    dashboard_outbox_poll_seconds: float = Field(default=2.0, gt=0)
    signin_per_ip: int = Field(default=10, ge=1)
    signin_per_ip_seconds: float = Field(default=600.0, gt=0)
    signin_per_email: int = Field(default=3, ge=1)
    signin_per_email_seconds: float = Field(default=900.0, gt=0)

    postgres: PostgresSettings = Field(default_factory=PostgresSettings)
    tokens: TokenSettings = Field(default_factory=TokenSettings)  # SUIVI_TOKEN_KEY, SUIVI_ENV

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        # Secrets only from the process environment: no .env file, no secrets directory.
        return (init_settings, env_settings)

    def merchant_key_pairs(self) -> tuple[tuple[str, str], ...]:
        """Parsed when the app is built (start-up). Not a pydantic validator on purpose: a
        validation error would quote the raw value, secrets included."""
        return parse_merchant_keys(self.merchant_keys)
