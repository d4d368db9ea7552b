"""Connection settings every service shares; each service composes them into its own Settings."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class KafkaSettings(BaseSettings):
    """Kafka connection, from KAFKA_BOOTSTRAP_SERVERS (default: the local broker of `make up`)."""

    model_config = SettingsConfigDict(env_prefix="KAFKA_", extra="ignore")

    bootstrap_servers: str = "127.0.0.1:9092"
    client_id: str = "suivi"
    request_timeout_ms: int = Field(default=30_000, ge=1_000)


class PostgresSettings(BaseSettings):
    """PostgreSQL connection, from DATABASE_URL (default: the local server of `make up`)."""

    model_config = SettingsConfigDict(extra="ignore")

    # Local development credentials; any real deployment sets DATABASE_URL.
    database_url: str = "postgresql://suivi:suivi@127.0.0.1:5432/suivi"
    pool_min_size: int = Field(default=1, alias="DATABASE_POOL_MIN", ge=0)
    pool_max_size: int = Field(default=10, alias="DATABASE_POOL_MAX", ge=1)
