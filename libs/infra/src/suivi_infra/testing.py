"""pytest plugin: the real Kafka broker and PostgreSQL server, isolated per test.

Servers come from the environment (KAFKA_BOOTSTRAP_SERVERS / DATABASE_URL) or the local ones
`make up` starts. Where neither answers and a Docker engine does, testcontainers provides them.
An integration test never silently skips: without servers it fails, saying how to start them.
"""

from __future__ import annotations

import asyncio
import shutil
import subprocess
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Sequence
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import pytest
from aiokafka import TopicPartition
from aiokafka.admin import AIOKafkaAdminClient, NewTopic

from suivi_infra.kafka import make_consumer
from suivi_infra.ports import free_port
from suivi_infra.readiness import kafka_answers, postgres_answers
from suivi_infra.records import Headers, OutRecord
from suivi_infra.settings import KafkaSettings, PostgresSettings
from suivi_infra.tcpgate import TcpGate

TopicFactory = Callable[..., Awaitable[str]]
__all__ = ["TopicFactory", "eventually", "free_port", "mark_folder"]


async def eventually(check: Callable[[], Awaitable[bool]], seconds: float = 60) -> bool:
    """Whether `check` came true before the deadline, polled every 0.2 s (no fixed sleeps)."""
    deadline = asyncio.get_running_loop().time() + seconds
    while asyncio.get_running_loop().time() < deadline:
        if await check():
            return True
        await asyncio.sleep(0.2)
    return False


def mark_folder(
    conftest: str, marker: pytest.MarkDecorator = pytest.mark.integration
) -> Callable[[list[pytest.Item]], None]:
    """The `pytest_collection_modifyitems` hook of a tests folder's conftest.py: marks every test
    collected below that folder (`pytest_collection_modifyitems = mark_folder(__file__)`)."""
    folder = Path(conftest).parent

    @pytest.hookimpl(tryfirst=True)  # before `-m` deselects by marker
    def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
        # The hook sees the whole session's items: mark only those collected from this folder.
        for item in items:
            if item.path.is_relative_to(folder):
                item.add_marker(marker)

    return pytest_collection_modifyitems


def _docker_engine_available() -> bool:
    if shutil.which("docker") is None:
        return False
    probe = subprocess.run(["docker", "info"], capture_output=True, check=False, timeout=10)  # noqa: S607
    return probe.returncode == 0


@pytest.fixture(scope="session")
def _containers() -> Iterator[ExitStack]:
    with ExitStack() as stack:
        yield stack


@pytest.fixture(scope="session")
async def kafka_settings(_containers: ExitStack) -> KafkaSettings:
    settings = KafkaSettings(client_id="suivi-tests")
    if await kafka_answers(settings):
        return settings
    if _docker_engine_available():
        from testcontainers.kafka import KafkaContainer

        container = _containers.enter_context(KafkaContainer().with_kraft())
        return KafkaSettings(
            bootstrap_servers=[container.get_bootstrap_server()], client_id="suivi-tests"
        )
    pytest.fail(
        f"no Kafka answers at {settings.bootstrap_env}: run `make up` "
        "or set KAFKA_BOOTSTRAP_SERVERS",
        pytrace=False,
    )


@pytest.fixture(scope="session")
async def postgres_settings(_containers: ExitStack) -> PostgresSettings:
    settings = PostgresSettings()
    if await postgres_answers(settings):
        return settings
    if _docker_engine_available():
        from testcontainers.postgres import PostgresContainer

        container = _containers.enter_context(PostgresContainer("postgres:16", driver=None))
        return PostgresSettings(database_url=container.get_connection_url())
    pytest.fail("no PostgreSQL answers: run `make up` or set DATABASE_URL", pytrace=False)


@pytest.fixture
async def kafka_topic(kafka_settings: KafkaSettings) -> AsyncIterator[TopicFactory]:
    """Factory of fresh topics unique to the test; they are deleted afterwards."""
    admin = AIOKafkaAdminClient(bootstrap_servers=kafka_settings.bootstrap_servers)
    await admin.start()
    created: list[str] = []

    async def make(prefix: str = "test", partitions: int = 3, **configs: str) -> str:
        name = f"{prefix}.{uuid.uuid4().hex[:12]}"
        await admin.create_topics(
            [NewTopic(name, num_partitions=partitions, replication_factor=1, topic_configs=configs)]
        )
        created.append(name)
        await _wait_for_leaders(admin, name, partitions)
        return name

    try:
        yield make
    finally:
        if created:
            await admin.delete_topics(created)
        await admin.close()


async def _wait_for_leaders(admin: AIOKafkaAdminClient, name: str, partitions: int) -> None:
    for _ in range(100):
        described = await admin.describe_topics([name])
        parts = described[0].get("partitions", []) if described else []
        if len(parts) == partitions and all(p.get("leader", -1) >= 0 for p in parts):
            return
        await asyncio.sleep(0.05)
    raise TimeoutError(f"topic {name} has no leaders")


@pytest.fixture
async def pg_schema(postgres_settings: PostgresSettings) -> AsyncIterator[str]:
    """A PostgreSQL schema of the test's own, dropped afterwards."""
    schema = f"test_{uuid.uuid4().hex[:12]}"
    conn = await asyncpg.connect(postgres_settings.database_url)
    try:
        await conn.execute(f'CREATE SCHEMA "{schema}"')
        yield schema
        await conn.execute(f'DROP SCHEMA "{schema}" CASCADE')
    finally:
        await conn.close()


@pytest.fixture
async def pg_pool(
    postgres_settings: PostgresSettings, pg_schema: str
) -> AsyncIterator[asyncpg.Pool]:
    """A pool whose connections work inside the test's own schema."""
    pool = await asyncpg.create_pool(
        postgres_settings.database_url,
        min_size=1,
        max_size=4,
        server_settings={"search_path": pg_schema},
    )
    try:
        yield pool
    finally:
        await pool.close()


@pytest.fixture
async def pg_gate(
    postgres_settings: PostgresSettings, pg_schema: str
) -> AsyncIterator[tuple[asyncpg.Pool, TcpGate]]:
    """A pool on the test's schema whose connections pass through a `TcpGate` (open): the test
    cuts them, and refuses new ones, with `gate.close()` (PostgreSQL gone mid-request)."""
    url = urlsplit(postgres_settings.database_url)
    gate = TcpGate(url.hostname or "127.0.0.1", url.port or 5432)
    await gate.open()
    through = url._replace(netloc=f"{url.netloc.rpartition('@')[0]}@127.0.0.1:{gate.port}")
    pool = await asyncpg.create_pool(
        urlunsplit(through), min_size=1, max_size=2, server_settings={"search_path": pg_schema}
    )
    try:
        yield pool, gate
    finally:
        pool.terminate()
        await gate.close()


@dataclass(frozen=True, slots=True)
class Published:
    topic: str
    value: bytes
    key: bytes | None
    headers: Headers | None


class RecordingSink:
    """A RecordSink for unit tests: keeps what it is given and acknowledges it at once (or
    fails every acknowledgement with `fail`); the broker itself is tested elsewhere."""

    def __init__(self, fail: bool = False) -> None:
        self.sent: list[Published] = []
        self.fail = fail

    async def publish(self, topic: str, records: Sequence[OutRecord]) -> list[Awaitable[Any]]:
        self.sent.extend(Published(topic, r.value, r.key, r.headers) for r in records)
        ack: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        if self.fail:
            ack.set_exception(ConnectionError("broker gone"))
        else:
            ack.set_result(None)
        return [ack]

    def on(self, topic: str) -> list[Published]:
        return [s for s in self.sent if s.topic == topic]


async def group_caught_up(
    settings: KafkaSettings, group: str, topics: Sequence[str], seconds: float = 20
) -> bool:
    """Whether `group` commits, within `seconds`, up to the end offsets the topics have now
    (their non-empty partitions): every record produced so far was consumed and committed."""
    admin = AIOKafkaAdminClient(bootstrap_servers=settings.bootstrap_servers)
    probe = make_consumer(settings, f"probe-{uuid.uuid4().hex[:6]}")
    await admin.start()
    await probe.start()
    try:
        deadline = asyncio.get_running_loop().time() + seconds
        # The partitions from the admin's view of each topic: the probe's own metadata knows
        # only topics it follows (KafkaConsumer.topics() does not fill it), and with no
        # partitions every comparison below would hold at once, reporting a group that has
        # consumed nothing as caught up.
        partitions: list[TopicPartition] = []
        for described in await admin.describe_topics(list(topics)):
            found = described.get("partitions") or []
            if described.get("error_code") or not found:
                return False  # a topic that does not exist: nothing to have caught up with
            partitions += [TopicPartition(described["topic"], p["partition"]) for p in found]
        probe.assign(partitions)
        ends = await probe.end_offsets(partitions)
        while asyncio.get_running_loop().time() < deadline:
            committed = await admin.list_consumer_group_offsets(group)
            if all(
                committed.get(tp) is not None and committed[tp].offset == end
                for tp, end in ends.items()
                if end
            ):
                return True
            await asyncio.sleep(0.2)
        return False
    finally:
        await probe.stop()
        await admin.close()
