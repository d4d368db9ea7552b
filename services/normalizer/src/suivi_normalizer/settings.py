"""The normalizer's settings: one object, from the environment only (prefix SUIVI_NORMALIZER_)."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from suivi_infra.settings import EnvOnlySettings, KafkaSettings
from suivi_schemas.topics import LEGS, RAW, RAW_DLQ, STATUS


class NormalizerSettings(EnvOnlySettings):
    model_config = SettingsConfigDict(env_prefix="SUIVI_NORMALIZER_", extra="ignore")

    kafka: KafkaSettings = Field(default_factory=KafkaSettings)
    group_id: str = "suivi-normalizer"
    raw_topic: str = RAW.name
    status_topic: str = STATUS.name
    dlq_topic: str = RAW_DLQ.name
    # Hand-offs between carriers read in aggregators' bodies (issue 17); empty: not read.
    legs_topic: str = LEGS.name
    max_records: int = Field(default=500, ge=1, description="Raw records per consumed batch.")
    batch_timeout_ms: int = Field(default=100, ge=1)
    linger_ms: int = Field(default=5, ge=0)
    # A producer batch holds up to this many bytes: a consumed batch's events for one partition
    # (~1.9 MB of events per 500 webhooks, over the status topic's partitions) then go in one
    # produce request, not two in a row. Below the topics' max.message.bytes (1,048,588).
    batch_bytes: int = Field(default=1_000_000, ge=16_384, le=1_048_000)
    recent_ids: int = Field(default=200_000, ge=0, description="Event ids remembered for dedup.")
    metrics_host: str = "127.0.0.1"
    metrics_port: int = Field(default=8083, ge=0)
    # Above the slowest batch: a handler cut by the shutdown timeout could be acked.
    shutdown_timeout_seconds: float = Field(default=60.0, gt=0)
    retry_backoff_seconds: float = Field(default=1.0, ge=0)
