"""The real services, started from the Procfile on the test's own topics and schema (the
repository root goes on sys.path: the launcher is `chaos.stack`, shared with `make chaos`)."""

from __future__ import annotations

import sys
import uuid
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest
from aiokafka.admin import AIOKafkaAdminClient

from suivi_infra.kafka import new_topic
from suivi_infra.settings import KafkaSettings, PostgresSettings, TopicSettings

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from chaos.stack import TOPIC_ENV, Stack  # noqa: E402

StackFactory = Callable[..., Stack]


@pytest.fixture
async def stack(
    kafka_settings: KafkaSettings,
    postgres_settings: PostgresSettings,
    pg_schema: str,
    tmp_path: Path,
) -> AsyncIterator[Stack]:
    """A stack whose topics (`fz<random>.` + name) and schema are the test's own; migrated."""
    prefix = f"fz{uuid.uuid4().hex[:8]}."
    separator = "&" if "?" in postgres_settings.database_url else "?"
    url = f"{postgres_settings.database_url}{separator}search_path={pg_schema}"
    made = Stack(kafka_settings.bootstrap_env, url, tmp_path, topic_prefix=prefix)
    topics = {prefix + t.name: t for t in TOPIC_ENV.values()}
    admin = AIOKafkaAdminClient(bootstrap_servers=kafka_settings.bootstrap_servers)
    await admin.start()
    try:
        settings = TopicSettings(replication_factor=1)
        await admin.create_topics([new_topic(t, settings, name=n) for n, t in topics.items()])
        yield made
    finally:
        made.stop_all()
        await admin.delete_topics(list(topics))
        await admin.close()
