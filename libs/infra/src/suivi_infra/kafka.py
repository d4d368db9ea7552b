"""aiokafka clients with Suivi's delivery guarantees set explicitly (the defaults are unsafe)."""

from __future__ import annotations

import contextlib
import functools
import random
from collections.abc import Sequence
from typing import Any

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import TopicAlreadyExistsError
from aiokafka.partitioner import murmur2

from suivi_infra.settings import KafkaSettings
from suivi_schemas.topics import Topic

_cached_murmur2 = functools.lru_cache(maxsize=131072)(murmur2)


def keyed_partitioner(
    key: bytes | None, all_partitions: Sequence[int], available: Sequence[int]
) -> int:
    """Java's default partitioner (murmur2 of the key), with the hash cached: one shipment's
    events share a key, and aiokafka's pure-Python murmur2 is a large share of a send."""
    if key is None:
        return random.choice(available or all_partitions)  # noqa: S311 - load spreading only
    digest: int = _cached_murmur2(key)
    return all_partitions[(digest & 0x7FFFFFFF) % len(all_partitions)]


def producer_options(settings: KafkaSettings, **overrides: Any) -> dict[str, Any]:
    """At-least-once, no duplicates from retries, order kept per partition."""
    options: dict[str, Any] = {
        "bootstrap_servers": settings.bootstrap_servers,
        "client_id": settings.client_id,
        "acks": "all",
        "enable_idempotence": True,
        "linger_ms": 5,
        "max_batch_size": 256 * 1024,
        "request_timeout_ms": settings.request_timeout_ms,
        "partitioner": keyed_partitioner,
    }
    options.update(overrides)
    return options


def consumer_options(settings: KafkaSettings, group_id: str, **overrides: Any) -> dict[str, Any]:
    """Offsets committed by hand only after the effect is durable; only committed records read."""
    options: dict[str, Any] = {
        "bootstrap_servers": settings.bootstrap_servers,
        "client_id": settings.client_id,
        "group_id": group_id,
        "enable_auto_commit": False,
        "auto_offset_reset": "earliest",
        "isolation_level": "read_committed",
        "request_timeout_ms": settings.request_timeout_ms,
    }
    options.update(overrides)
    return options


def make_producer(settings: KafkaSettings, **overrides: Any) -> AIOKafkaProducer:
    return AIOKafkaProducer(**producer_options(settings, **overrides))


def make_consumer(
    settings: KafkaSettings, group_id: str, *topics: str, **overrides: Any
) -> AIOKafkaConsumer:
    return AIOKafkaConsumer(*topics, **consumer_options(settings, group_id, **overrides))


def new_topic(topic: Topic, *, name: str | None = None, replication_factor: int = 1) -> NewTopic:
    return NewTopic(
        name=name or topic.name,
        num_partitions=topic.partitions,
        replication_factor=replication_factor,
        topic_configs={
            "retention.ms": str(topic.retention_ms),
            "min.insync.replicas": "1",
            "max.message.bytes": str(topic.max_message_bytes),
        },
    )


async def ensure_topics(settings: KafkaSettings, topics: list[NewTopic]) -> list[str]:
    """Creates the topics that do not exist yet; returns the names it created."""
    admin = AIOKafkaAdminClient(
        bootstrap_servers=settings.bootstrap_servers, client_id=f"{settings.client_id}-admin"
    )
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        missing = [t for t in topics if t.name not in existing]
        if missing:
            # Created concurrently by another process: the goal is reached all the same.
            with contextlib.suppress(TopicAlreadyExistsError):
                await admin.create_topics(missing)
        return [t.name for t in missing]
    finally:
        await admin.close()
