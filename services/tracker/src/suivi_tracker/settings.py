"""The tracker's settings, from the environment: SUIVI_TRACKER_* (sources:
SUIVI_TRACKER_<SOURCE>__*, see adapters/sources/config.py), plus the shared KAFKA_* and
DATABASE_URL. Secrets come from the process environment only."""

from __future__ import annotations

import os
import socket
from datetime import timedelta

from pydantic import BaseModel, Field, SecretStr, field_validator
from pydantic_settings import SettingsConfigDict

from suivi_infra.merchant_keys import parse_merchant_keys
from suivi_infra.settings import EnvOnlySettings, KafkaSettings, PostgresSettings
from suivi_schemas.topics import LEGS, MERCHANTS, ORDERS, RAW, RETURNS, STATUS, TRACKER_DLQ
from suivi_tracker.adapters.sources.config import SourcesSettings
from suivi_tracker.domain.circuit import CircuitPolicy
from suivi_tracker.domain.routing import DEFAULT_PREFERENCE
from suivi_tracker.domain.schedule import SchedulePolicy
from suivi_tracker.handlers.rounds import RoundConfig


class ScheduleSettings(BaseModel):
    """SUIVI_TRACKER_SCHEDULE__*: the adaptive schedule (docs/tracking.md)."""

    first_look_minutes: float = Field(default=15, gt=0)
    early_max_hours: float = Field(default=12, gt=0)
    early_factor: float = Field(default=0.5, gt=0)
    in_transit_hours: float = Field(default=3, gt=0)
    urgent_min_minutes: float = Field(default=30, gt=0)
    urgent_max_minutes: float = Field(default=60, gt=0)
    promised_day_hours: float = Field(default=1, gt=0)
    confirm_after_hours: float = Field(default=24, ge=0)
    expire_after_days: float = Field(default=30, gt=0)
    retry_base_seconds: float = Field(default=60, gt=0)
    retry_max_hours: float = Field(default=6, gt=0)
    jitter: float = Field(default=0.1, ge=0, lt=1)

    def policy(self) -> SchedulePolicy:
        first = timedelta(minutes=self.first_look_minutes)
        return SchedulePolicy(
            first_look=first,
            early_min=first,
            early_max=timedelta(hours=self.early_max_hours),
            early_factor=self.early_factor,
            in_transit=timedelta(hours=self.in_transit_hours),
            urgent_min=timedelta(minutes=self.urgent_min_minutes),
            urgent_max=timedelta(minutes=max(self.urgent_max_minutes, self.urgent_min_minutes)),
            promised_day=timedelta(hours=self.promised_day_hours),
            confirm_after=timedelta(hours=self.confirm_after_hours),
            expire_after=timedelta(days=self.expire_after_days),
            retry_base=timedelta(seconds=self.retry_base_seconds),
            retry_max=timedelta(hours=self.retry_max_hours),
            jitter=self.jitter,
        )


class TrackerSettings(EnvOnlySettings):
    model_config = SettingsConfigDict(
        env_prefix="SUIVI_TRACKER_",
        env_nested_delimiter="__",
        extra="ignore",
        hide_input_in_errors=True,  # a refused value may be a secret: never quote it
    )

    kafka: KafkaSettings = Field(default_factory=KafkaSettings)
    postgres: PostgresSettings = Field(default_factory=PostgresSettings)
    sources: SourcesSettings = Field(default_factory=SourcesSettings)

    host: str = "127.0.0.1"
    port: int = Field(default=8085, ge=1, le=65535)
    metrics_port: int = Field(default=8087, ge=0, le=65535, description="0: no metrics server.")
    log_level: str = "INFO"
    instance: str = Field(default_factory=lambda: f"{socket.gethostname()}-{os.getpid()}")
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
    returns_topic: str = Field(
        default=RETURNS.name, description="Return parcels to track (after-sales); '' for none."
    )
    status_topic: str = STATUS.name
    legs_topic: str = Field(
        default=LEGS.name, description="Hand-offs between carriers to follow (issue 17); '' none."
    )
    raw_topic: str = RAW.name
    group_id: str = "suivi-tracker"
    dlq_topic: str = Field(default=TRACKER_DLQ.name, description="Created by suivi-topics.")
    consume: bool = True
    max_records: int = Field(default=500, ge=1)
    batch_timeout_ms: int = Field(default=200, ge=0)
    shutdown_timeout_seconds: float = Field(default=30.0, gt=0)
    retry_backoff_seconds: float = Field(default=1.0, ge=0)

    schedule_enabled: bool = True
    claim_batch: int = Field(default=100, ge=1, le=10_000)
    lease_seconds: float = Field(default=120.0, gt=0)
    concurrency: int = Field(default=16, ge=1)
    idle_seconds: float = Field(default=1.0, gt=0)
    call_timeout_seconds: float = Field(default=30.0, gt=0)
    quota_reserve: int = Field(default=50, ge=0)
    quota_defer_minutes: float = Field(default=60.0, gt=0)
    circuit_threshold: int = Field(default=5, ge=1)
    circuit_cooldown_seconds: float = Field(default=60.0, gt=0)
    circuit_max_cooldown_seconds: float = Field(default=1800.0, gt=0)
    gauge_refresh_seconds: float = Field(default=30.0, gt=0)
    schedule: ScheduleSettings = Field(default_factory=ScheduleSettings)

    route_preference: str = Field(
        default=",".join(DEFAULT_PREFERENCE),
        description="Aggregators in the order tried when a carrier's own API is not configured.",
    )
    routes: str = Field(default="", description="Per-carrier overrides: 'carrier:source,…'.")

    @field_validator("merchant_keys")
    @classmethod
    def _keys_parse(cls, value: SecretStr | None) -> SecretStr | None:
        parse_merchant_keys(value)  # refuses a malformed entry at start, without quoting it
        return value

    def merchant_key_pairs(self) -> tuple[tuple[str, str], ...]:
        return parse_merchant_keys(self.merchant_keys)

    def preference(self) -> tuple[str, ...]:
        return tuple(p.strip() for p in self.route_preference.split(",") if p.strip())

    def overrides(self) -> dict[str, str]:
        pairs = (e.partition(":") for e in self.routes.split(",") if e.strip())
        return {c.strip(): s.strip() for c, sep, s in pairs if sep}

    def round_config(self) -> RoundConfig:
        return RoundConfig(
            batch=self.claim_batch,
            lease_seconds=self.lease_seconds,
            concurrency=self.concurrency,
            idle_seconds=self.idle_seconds,
            # An outcome must land before the lease ends, or the row is polled twice.
            call_timeout_seconds=min(self.call_timeout_seconds, self.lease_seconds / 2),
            quota_reserve=self.quota_reserve,
            quota_defer=timedelta(minutes=self.quota_defer_minutes),
        )

    def circuit_policy(self) -> CircuitPolicy:
        return CircuitPolicy(
            threshold=self.circuit_threshold,
            cooldown=timedelta(seconds=self.circuit_cooldown_seconds),
            max_cooldown=timedelta(seconds=self.circuit_max_cooldown_seconds),
        )
