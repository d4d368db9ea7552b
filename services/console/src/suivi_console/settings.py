"""The console's settings, from the environment: SUIVI_CONSOLE_* plus the shared KAFKA_* and
DATABASE_URL. Secrets come from the process environment only."""

from __future__ import annotations

from datetime import timedelta

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import SettingsConfigDict

from suivi_console.domain.sessions import SessionPolicy
from suivi_console.domain.throttle import ThrottlePolicy
from suivi_infra.settings import EnvOnlySettings, KafkaSettings, PostgresSettings
from suivi_infra.tokens import InsecureConfiguration
from suivi_schemas.topics import MERCHANTS

DEVELOPMENT_SECRET = "suivi-console-development-secret-key-0000"  # noqa: S105 - public on purpose


class ConsoleSettings(EnvOnlySettings):
    model_config = SettingsConfigDict(
        env_prefix="SUIVI_CONSOLE_",
        env_nested_delimiter="__",
        extra="ignore",
        populate_by_name=True,
    )

    kafka: KafkaSettings = Field(default_factory=KafkaSettings)
    postgres: PostgresSettings = Field(default_factory=PostgresSettings)

    host: str = "127.0.0.1"
    port: int = Field(default=8091, ge=1, le=65535)
    metrics_port: int = Field(default=8092, ge=0, le=65535, description="0: no metrics server.")
    log_level: str = "INFO"
    # SUIVI_ENV=development (the one development switch): the public development key is accepted.
    env: str = Field(default="", validation_alias="SUIVI_ENV")
    migrate_on_start: bool = False
    public_base_url: str = "http://127.0.0.1:8091"

    # Signs password-reset links; at least 32 characters outside development.
    secret_key: SecretStr = SecretStr("")
    # Seals webhook secrets on merchants.v1 (the notifier holds the same); unset: not published.
    sealing_key: SecretStr | None = None

    cookie_secure: bool = Field(default=True, description="False only on plain-HTTP localhost.")
    session_idle_minutes: float = Field(default=30, gt=0)
    session_absolute_hours: float = Field(default=12, gt=0)
    throttle_free: int = Field(default=5, ge=1)
    throttle_window_minutes: float = Field(default=15, gt=0)
    key_grace_hours: float = Field(default=24, ge=0, description="Old key validity on rotation.")
    reset_link_minutes: float = Field(default=30, gt=0)
    max_logo_bytes: int = Field(default=512 * 1024, ge=1024)

    merchants_topic: str = MERCHANTS.name
    republish_seconds: float = Field(default=300, gt=0, description="Full republish period.")

    projections_base_url: str = "http://127.0.0.1:8081"
    tracker_base_url: str = "http://127.0.0.1:8085"
    aftersales_base_url: str = "http://127.0.0.1:8094"
    status_page_base_url: str = "http://127.0.0.1:8081"
    http_timeout_seconds: float = Field(default=5, gt=0)

    # Reset mails go straight to the SMTP server the notifier uses (same settings).
    smtp_host: str = "127.0.0.1"
    smtp_port: int = Field(default=2525, ge=1, le=65535)
    smtp_starttls: bool = False
    smtp_username: str | None = None
    smtp_password: SecretStr | None = None
    smtp_from_address: str = "console@suivi.localhost"

    @model_validator(mode="after")
    def _secret_key(self) -> ConsoleSettings:
        key = self.secret_key.get_secret_value()
        if not key and self.development:
            self.secret_key = SecretStr(DEVELOPMENT_SECRET)
        elif len(key) < 32 or (key == DEVELOPMENT_SECRET and not self.development):
            # Not a ValueError: pydantic would quote the input (the secret) in its message.
            raise InsecureConfiguration(
                "refusing to start: SUIVI_CONSOLE_SECRET_KEY must be a random secret of at "
                "least 32 characters (or SUIVI_ENV=development on a developer machine)"
            )
        sealing = self.sealing_key.get_secret_value() if self.sealing_key else ""
        if sealing and len(sealing) < 32:
            raise InsecureConfiguration(
                "refusing to start: SUIVI_CONSOLE_SEALING_KEY must have at least 32 characters"
            )
        return self

    @property
    def development(self) -> bool:
        return self.env.strip().lower() == "development"

    def session_policy(self) -> SessionPolicy:
        return SessionPolicy(
            idle=timedelta(minutes=self.session_idle_minutes),
            absolute=timedelta(hours=self.session_absolute_hours),
        )

    def throttle_policy(self) -> ThrottlePolicy:
        return ThrottlePolicy(
            window=timedelta(minutes=self.throttle_window_minutes), free=self.throttle_free
        )

    @property
    def key_grace(self) -> timedelta:
        return timedelta(hours=self.key_grace_hours)
