"""aiokafka clients with Suivi's delivery guarantees set explicitly (the defaults are unsafe)."""

from __future__ import annotations

import functools
import random
from collections.abc import Sequence
from typing import Any

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import TopicAlreadyExistsError, for_code
from aiokafka.partitioner import murmur2

from suivi_infra.settings import KafkaSettings, TopicSettings
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


def new_topic(topic: Topic, settings: TopicSettings, *, name: str | None = None) -> NewTopic:
    """The topic as `settings` say to create it; min.insync.replicas only when configured."""
    configs = {
        "retention.ms": str(topic.retention_ms),
        "max.message.bytes": str(topic.max_message_bytes),
    }
    if topic.cleanup_policy != "delete":
        configs["cleanup.policy"] = topic.cleanup_policy
    if settings.min_insync_replicas is not None:
        # A topic override wins over the broker's default: set only when asked for.
        configs["min.insync.replicas"] = str(settings.min_insync_replicas)
    return NewTopic(
        name=name or topic.name,
        num_partitions=topic.partitions,
        replication_factor=settings.replication_factor,
        topic_configs=configs,
    )


class TopicCreationError(Exception):
    """The cluster refused to create a topic (e.g. more replicas than brokers)."""


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
            response = await admin.create_topics(missing)
            # Refusals come back per topic, not raised; a topic another process created
            # meanwhile is the goal reached all the same.
            refused = [
                f"{entry[0]}: {for_code(entry[1]).__name__}"
                + (f" ({entry[2]})" if len(entry) > 2 and entry[2] else "")
                for entry in response.topic_errors
                if entry[1] not in (0, TopicAlreadyExistsError.errno)
            ]
            if refused:
                raise TopicCreationError("; ".join(refused))
        return [t.name for t in missing]
    finally:
        await admin.close()
