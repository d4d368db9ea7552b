"""Integration tests: a real PostgreSQL schema and Kafka topic per test; the console started
against them with a settable clock."""

from __future__ import annotations

from collections.abc import AsyncIterator

import asyncpg
import pytest

from suivi_console.bootstrap import ConsoleService
from suivi_console.testing.harness import Clock, RecordingMailer, console
from suivi_infra.settings import KafkaSettings
from suivi_infra.testing import TopicFactory, mark_folder

pytest_collection_modifyitems = mark_folder(__file__)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def mailer() -> RecordingMailer:
    return RecordingMailer()


@pytest.fixture
async def merchants_topic(kafka_topic: TopicFactory) -> str:
    return await kafka_topic("merchants", partitions=3, **{"cleanup.policy": "compact"})


@pytest.fixture
async def service(
    pg_pool: asyncpg.Pool, kafka_settings: KafkaSettings, merchants_topic: str, clock: Clock,
    mailer: RecordingMailer,
) -> AsyncIterator[ConsoleService]:  # fmt: skip
    started = await console(pg_pool, kafka_settings, merchants_topic, clock, mailer)
    try:
        yield started
    finally:
        await started.stop()
