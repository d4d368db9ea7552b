"""Topics are created as configured in one place (SUIVI_TOPICS_*): replication factor, and
min.insync.replicas only when asked for, so the broker's own default otherwise applies."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator

import pytest
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.admin.config_resource import ConfigResource, ConfigResourceType
from pydantic import ValidationError

from suivi_infra.kafka import TopicCreationError, ensure_topics, new_topic
from suivi_infra.settings import KafkaSettings, TopicSettings
from suivi_infra.topics_cli import plan
from suivi_schemas.topics import ALL_TOPICS, RAW

TOPIC_OVERRIDE = 1  # DescribeConfigs' config_source of a topic's own setting


def test_by_default_topics_leave_min_insync_replicas_to_the_broker(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("SUIVI_TOPICS_REPLICATION_FACTOR", raising=False)
    monkeypatch.delenv("SUIVI_TOPICS_MIN_INSYNC_REPLICAS", raising=False)
    settings, topics = plan([])
    assert settings == TopicSettings(replication_factor=1, min_insync_replicas=None)
    assert [t.name for t in topics] == [t.name for t in ALL_TOPICS]
    assert all("min.insync.replicas" not in t.topic_configs for t in topics)


def test_production_values_come_from_the_environment_or_the_options(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("SUIVI_TOPICS_REPLICATION_FACTOR", "3")
    monkeypatch.setenv("SUIVI_TOPICS_MIN_INSYNC_REPLICAS", "2")
    _, topics = plan([])
    assert {(t.replication_factor, t.topic_configs["min.insync.replicas"]) for t in topics} == {
        (3, "2")
    }
    _, topics = plan(["--replication-factor", "5", "--min-insync-replicas", "3"])
    assert {(t.replication_factor, t.topic_configs["min.insync.replicas"]) for t in topics} == {
        (5, "3")
    }


def test_more_in_sync_replicas_than_replicas_is_refused() -> None:
    with pytest.raises(ValidationError):
        TopicSettings(replication_factor=2, min_insync_replicas=3)


@pytest.fixture
async def admin(kafka_settings: KafkaSettings) -> AsyncIterator[AIOKafkaAdminClient]:
    client = AIOKafkaAdminClient(bootstrap_servers=kafka_settings.bootstrap_servers)
    await client.start()
    try:
        yield client
    finally:
        await client.close()


async def topic_configs(admin: AIOKafkaAdminClient, name: str) -> dict[str, tuple[str, int]]:
    """Each setting of the topic: (value, where it comes from)."""
    for _ in range(100):  # a topic just created may not be known to the broker asked yet
        [response] = await admin.describe_configs([ConfigResource(ConfigResourceType.TOPIC, name)])
        error_code, *_, entries = response.resources[0]
        if error_code == 0:
            return {e[0]: (e[1], e[3]) for e in entries}
        await asyncio.sleep(0.05)
    raise TimeoutError(f"no configs for {name}")


@pytest.mark.integration
@pytest.mark.parametrize("min_isr", [None, 1])
async def test_a_created_topic_carries_the_configured_settings(
    kafka_settings: KafkaSettings, admin: AIOKafkaAdminClient, min_isr: int | None
) -> None:
    name = f"topics.{uuid.uuid4().hex[:12]}"
    settings = TopicSettings(replication_factor=1, min_insync_replicas=min_isr)
    try:
        assert await ensure_topics(kafka_settings, [new_topic(RAW, settings, name=name)]) == [name]
        configs = await topic_configs(admin, name)
    finally:
        await admin.delete_topics([name])
    assert configs["retention.ms"] == (str(RAW.retention_ms), TOPIC_OVERRIDE)
    if min_isr is None:
        assert configs["min.insync.replicas"][1] != TOPIC_OVERRIDE  # the broker's applies
    else:
        assert configs["min.insync.replicas"] == ("1", TOPIC_OVERRIDE)


@pytest.mark.integration
async def test_more_replicas_than_brokers_is_an_error_not_a_created_topic(
    kafka_settings: KafkaSettings, admin: AIOKafkaAdminClient
) -> None:
    name = f"topics.{uuid.uuid4().hex[:12]}"
    brokers = len((await admin.describe_cluster())["brokers"])
    settings = TopicSettings(replication_factor=brokers + 1)
    with pytest.raises(TopicCreationError, match="InvalidReplicationFactor"):
        await ensure_topics(kafka_settings, [new_topic(RAW, settings, name=name)])
    assert name not in await admin.list_topics()
