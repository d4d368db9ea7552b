"""MerchantDirectory on the real broker: it waits for a topic that does not exist yet, loads what
is there, follows new records and tombstones, and keeps a higher revision over a late lower one."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable
from datetime import UTC, datetime

import pytest
from aiokafka.admin import AIOKafkaAdminClient, NewTopic

from suivi_infra.kafka import make_producer
from suivi_infra.merchants import MerchantDirectory
from suivi_infra.settings import KafkaSettings
from suivi_schemas.merchants import ApiKeyDigest, Branding, MerchantRecord, key_digest

pytestmark = pytest.mark.integration
NOW = datetime.now(UTC)


def record(revision: int, key: str) -> bytes:
    return MerchantRecord(
        merchant_id="atelier", revision=revision, updated_at=NOW,
        branding=Branding(display_name=f"Atelier r{revision}"),
        api_keys=(ApiKeyDigest(key_id="k", sha256=key_digest(key), valid_from=NOW),),
    ).model_dump_json().encode()  # fmt: skip


async def within(seconds: float, condition: Callable[[], bool]) -> None:
    for _ in range(int(seconds / 0.05)):
        if condition():
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"still false after {seconds} s")


async def test_directory_waits_for_the_topic_then_follows_it(kafka_settings: KafkaSettings) -> None:
    topic = f"merchants-test.{uuid.uuid4().hex[:10]}"
    directory = MerchantDirectory((("legacy", "env-key-00000000001"),))
    directory.start(kafka_settings, topic, retry_seconds=0.2)
    admin = AIOKafkaAdminClient(bootstrap_servers=kafka_settings.bootstrap_servers)
    producer = make_producer(kafka_settings)
    await admin.start()
    await producer.start()
    try:
        await asyncio.sleep(0.5)  # no topic yet: env keys only
        assert directory.merchant_for_key("env-key-00000000001") == "legacy"
        await admin.create_topics(
            [NewTopic(topic, 2, 1, topic_configs={"cleanup.policy": "compact"})]
        )
        await producer.send_and_wait(topic, record(2, "key-two"), key=b"atelier")
        await asyncio.wait_for(directory.loaded.wait(), 30)
        await within(10, lambda: directory.merchant_for_key("key-two") == "atelier")
        await producer.send_and_wait(topic, record(1, "key-one"), key=b"atelier")  # late, older
        await producer.send_and_wait(topic, record(3, "key-three"), key=b"atelier")
        await within(10, lambda: directory.merchant_for_key("key-three") == "atelier")
        assert directory.merchant_for_key("key-one") is None
        assert directory.merchant_for_key("key-two") is None
        record_now = directory.record("atelier")
        assert record_now is not None and record_now.branding.display_name == "Atelier r3"
        await producer.send_and_wait(topic, None, key=b"atelier")  # tombstone
        await within(10, lambda: directory.merchant_for_key("key-three") is None)
    finally:
        await directory.stop()
        await producer.stop()
        await admin.delete_topics([topic])
        await admin.close()
