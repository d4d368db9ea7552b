"""Connection settings every service shares, and EnvOnlySettings: the base of each service's."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, field_validator, model_validator
from pydantic_settings import (
    BaseSettings,
    NoDecode,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
)


class EnvOnlySettings(BaseSettings):
    """Base of every service's settings: values (secrets among them) come from the arguments
    and the process environment only; a `.env` file or a secrets directory is never read."""

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return (init_settings, env_settings)


def _host_port(address: str) -> str:
    """`host:port` (an IPv6 host in brackets), or ValueError saying which entry is wrong."""
    host, sep, port = address.rpartition(":")
    if not sep or not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise ValueError(f"{address!r} is not host:port")
    return address


class KafkaSettings(BaseSettings):
    """Kafka connection, from KAFKA_BOOTSTRAP_SERVERS (default: the local broker of `make up`)."""

    model_config = SettingsConfigDict(env_prefix="KAFKA_", extra="ignore")

    # The environment spells the list as Kafka does, `host1:9092,host2:9092` (not JSON); every
    # client gets the parsed list (FastStream would read a comma-separated string as one host).
    bootstrap_servers: Annotated[list[str], NoDecode] = Field(
        default_factory=lambda: ["127.0.0.1:9092"], min_length=1
    )
    client_id: str = "suivi"
    request_timeout_ms: int = Field(default=30_000, ge=1_000)
    # How long the broker holds a consumer's fetch to fill it (KAFKA_FETCH_*), for every
    # consuming service: the batch a handler gets is what one fetch brought.
    # Measured end to end at 1,000 webhooks/s (bench/e2e_latency.py): with aiokafka's 1 byte the
    # broker answered each fetch as soon as one record arrived (a few records a batch), and each
    # batch costs a fetch, an offset commit, produce requests and (projector) a PostgreSQL
    # transaction. Held up to 25 ms (medians of 8 warm steps against 7): normalizer -110 µs of
    # CPU per webhook, projector -55, broker -35, POST→visible p99 247 ms against 758; at most
    # 25 ms more per hop. Above ~2,000/s batches fill anyway (no difference measured there).
    # The price when idle: each consumer fetches every 25 ms instead of every 500.
    fetch_min_bytes: int = Field(default=64 * 1024, ge=1)
    fetch_max_wait_ms: int = Field(default=25, ge=0)
    max_partition_fetch_bytes: int = Field(default=1024 * 1024, ge=1024)

    @field_validator("bootstrap_servers", mode="before")
    @classmethod
    def _split(cls, value: object) -> object:
        if isinstance(value, str):
            return [part.strip() for part in value.split(",") if part.strip()]
        return value

    @field_validator("bootstrap_servers")
    @classmethod
    def _each_host_port(cls, value: list[str]) -> list[str]:
        return [_host_port(address) for address in value]

    @property
    def bootstrap_env(self) -> str:
        """The servers as KAFKA_BOOTSTRAP_SERVERS spells them (for a child process)."""
        return ",".join(self.bootstrap_servers)


class TopicSettings(BaseSettings):
    """How `suivi-topics` creates the platform's topics, from SUIVI_TOPICS_* (the one place)."""

    model_config = SettingsConfigDict(env_prefix="SUIVI_TOPICS_", extra="ignore")

    # 1 suits the single local broker; production sets 3.
    replication_factor: int = Field(default=1, ge=1)
    # Unset: no topic override, so the broker's min.insync.replicas applies (production: 2).
    min_insync_replicas: int | None = Field(default=None, ge=1)

    @model_validator(mode="after")
    def _isr_within_replicas(self) -> TopicSettings:
        # More in-sync replicas than replicas: every acks=all write would be refused.
        if self.min_insync_replicas is not None and (
            self.min_insync_replicas > self.replication_factor
        ):
            raise ValueError("min_insync_replicas cannot exceed replication_factor")
        return self


class PostgresSettings(BaseSettings):
    """PostgreSQL connection, from DATABASE_URL (default: the local server of `make up`)."""

    model_config = SettingsConfigDict(extra="ignore")

    # Local development credentials; any real deployment sets DATABASE_URL.
    database_url: str = "postgresql://suivi:suivi@127.0.0.1:5432/suivi"
    pool_min_size: int = Field(default=1, alias="DATABASE_POOL_MIN", ge=0)
    pool_max_size: int = Field(default=10, alias="DATABASE_POOL_MAX", ge=1)
