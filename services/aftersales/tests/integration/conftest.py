"""Integration tests of after-sales: the real broker and PostgreSQL (marker set once here), the
service started on fresh topics and the test's own schema."""

from __future__ import annotations

from collections.abc import AsyncIterator

import asyncpg
import pytest

from suivi_aftersales.bootstrap import AftersalesService
from suivi_aftersales.testing.harness import SettableClock, Topics, started
from suivi_infra.settings import KafkaSettings
from suivi_infra.testing import TopicFactory, mark_folder

pytest_collection_modifyitems = mark_folder(__file__)


@pytest.fixture
async def topics(kafka_topic: TopicFactory) -> Topics:
    return Topics(await kafka_topic("orders"), await kafka_topic("status"),
                  await kafka_topic("returns"), await kafka_topic("dlq", 1),
                  await kafka_topic("claims"), await kafka_topic("alerts"))  # fmt: skip


@pytest.fixture
async def service(
    kafka_settings: KafkaSettings, pg_pool: asyncpg.Pool, topics: Topics
) -> AsyncIterator[AftersalesService]:
    service = await started(kafka_settings, pg_pool, topics, SettableClock())
    try:
        yield service
    finally:
        await service.stop()
