"""The projections' settings: one object, from the environment (prefix SUIVI_PROJECTIONS_)."""

from __future__ import annotations

from datetime import timedelta

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from suivi_infra.settings import KafkaSettings, PostgresSettings
from suivi_infra.tokens import TokenSettings
from suivi_schemas.topics import ALERTS, CLAIMS, LEGS, ORDERS, PROJECTIONS_DLQ, RETURNS, STATUS


class ProjectionsSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="SUIVI_PROJECTIONS_", extra="ignore")

    kafka: KafkaSettings = Field(default_factory=KafkaSettings)
    postgres: PostgresSettings = Field(default_factory=PostgresSettings)
    tokens: TokenSettings = Field(default_factory=TokenSettings)  # SUIVI_TOKEN_KEY
    group_id: str = "suivi-projections"
    status_topic: str = STATUS.name
    orders_topic: str = ORDERS.name
    legs_topic: str = LEGS.name  # hand-offs between carriers (issue 17); empty: not followed
    # Each order's returns and claims for the shopper's dashboard (issue 24); empty: not followed.
    returns_topic: str = RETURNS.name
    claims_topic: str = CLAIMS.name
    dlq_topic: str = PROJECTIONS_DLQ.name
    # Records per consumed batch, at most: a batch is what the broker has when the projector
    # asks (waiting batch_timeout_ms for the first), so this only caps the batches of a backlog,
    # where larger ones cost less per event (issue 22, 50,000 events: PostgreSQL's CPU 3.1 s in
    # batches of 500, 2.3 s of 2,000, 1.9 s of 4,000).
    max_records: int = Field(default=4000, ge=1, description="Records per consumed batch.")
    batch_timeout_ms: int = Field(default=100, ge=1)
    # A batch is applied in a part per write_parts_from status records, up to write_parts, by
    # key (write/batch.py): PostgreSQL works on one part's statements while Python works on
    # another's. 1: one pass.
    write_parts: int = Field(default=4, ge=1)
    write_parts_from: int = Field(default=200, ge=1)
    reuse_after_days: float = Field(
        default=90, gt=0, description="A terminal shipment's tracking number is a new parcel "
        "when an event comes more than this long after its terminal event.",
    )  # fmt: skip
    migrate_on_start: bool = Field(
        default=True, description="Apply pending migrations at startup (safe with several)."
    )
    metrics_host: str = "127.0.0.1"
    metrics_port: int = Field(default=8084, ge=0)
    # Above the slowest batch: a handler cut by the shutdown timeout could be acked.
    shutdown_timeout_seconds: float = Field(default=60.0, gt=0)
    retry_backoff_seconds: float = Field(default=1.0, ge=0)

    # The stall / late monitor (runs inside the projector process; safe with several).
    monitor_enabled: bool = True
    alerts_topic: str = ALERTS.name
    monitor_interval_seconds: float = Field(default=5.0, gt=0)
    monitor_batch_size: int = Field(default=500, ge=1)
    learn_interval_seconds: float = Field(default=3600.0, gt=0)
    learn_history_days: int = Field(default=180, ge=1)
    stall_percentile: float = Field(
        default=0.95, gt=0, lt=1, description="Of the silences seen in the same situation."
    )
    stall_min_samples: int = Field(default=30, ge=1)
    transit_min_samples: int = Field(default=20, ge=1)
    stall_domestic_days: float = Field(default=3, gt=0)
    stall_international_days: float = Field(default=7, gt=0)
    stall_pickup_point_days: float = Field(default=2, gt=0)
    stall_minimum_hours: float = Field(default=24, gt=0)

    @property
    def reuse_after(self) -> timedelta:
        return timedelta(days=self.reuse_after_days)
