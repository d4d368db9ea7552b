"""`suivi-topics --check`: topics as configured pass; any difference is named, nothing changed."""

from __future__ import annotations

import uuid

import pytest
from aiokafka.admin import AIOKafkaAdminClient

from suivi_infra.kafka import ensure_topics, new_topic
from suivi_infra.settings import KafkaSettings, TopicSettings
from suivi_infra.topic_drift import drift
from suivi_schemas.topics import RAW, STATUS

pytestmark = pytest.mark.integration


async def test_drift_names_each_difference_and_changes_nothing(
    kafka_settings: KafkaSettings,
) -> None:
    run = uuid.uuid4().hex[:10]
    raw, status, absent = f"drift.raw.{run}", f"drift.status.{run}", f"drift.none.{run}"
    one = TopicSettings(replication_factor=1)
    await ensure_topics(
        kafka_settings, [new_topic(RAW, one, name=raw), new_topic(STATUS, one, name=status)]
    )
    try:
        assert await drift(kafka_settings, [new_topic(RAW, one, name=raw)]) == {raw: []}
        # What production would plan: 3 replicas, min ISR 2; and STATUS's plan for RAW's topic.
        three = TopicSettings(replication_factor=3, min_insync_replicas=2)
        planned = [
            new_topic(RAW, three, name=raw),
            new_topic(RAW, one, name=status),
            new_topic(RAW, one, name=absent),
        ]
        found = await drift(kafka_settings, planned)
        assert found[absent] == ["missing"]
        assert "replicas 1 (want 3)" in found[raw]
        assert "min.insync.replicas 1 (want 2)" in found[raw]
        assert f"partitions {STATUS.partitions} (want {RAW.partitions})" in found[status]
        assert any(d.startswith("retention.ms ") for d in found[status])
        assert await drift(kafka_settings, [new_topic(RAW, one, name=raw)]) == {raw: []}
    finally:
        admin = AIOKafkaAdminClient(bootstrap_servers=kafka_settings.bootstrap_servers)
        await admin.start()
        await admin.delete_topics([raw, status])
        await admin.close()
