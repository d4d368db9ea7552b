"""Projector settings for broker tests: every topic it follows and its group the test's own."""

from __future__ import annotations

import uuid
from typing import Any

from suivi_infra.settings import KafkaSettings, PostgresSettings
from suivi_infra.testing import TopicFactory
from suivi_projections.settings import ProjectionsSettings


async def on_fresh_topics(
    kafka_topic: TopicFactory,
    kafka: KafkaSettings,
    postgres: PostgresSettings,
    *,
    partitions: int = 2,
    **overrides: Any,
) -> ProjectionsSettings:
    """Settings whose status, orders, legs, returns, claims, dead-letter and alerts topics are
    new ones (`overrides` may name others, or "" for a topic not followed): a projector left
    on a default name would read, and commit offsets on, the shared broker's real topics."""

    async def fresh(name: str, count: int = partitions) -> str:
        return await kafka_topic(name, partitions=count)

    settings = ProjectionsSettings(
        kafka=kafka, postgres=postgres, group_id=f"projections-{uuid.uuid4().hex[:8]}",
        status_topic=await fresh("status"), orders_topic=await fresh("orders"),
        legs_topic=await fresh("legs"), returns_topic=await fresh("returns"),
        claims_topic=await fresh("claims"), dlq_topic=await fresh("dlq", 1),
        alerts_topic=await fresh("alerts", 1),
        metrics_port=0, retry_backoff_seconds=0.1, migrate_on_start=True,
    )  # fmt: skip
    return settings.model_copy(update=overrides)
