"""Every long-running service as deployed (its console script, its environment): it starts
against the Kafka cluster however KAFKA_BOOTSTRAP_SERVERS lists it, and becomes ready; none
creates a topic."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import ExitStack, contextmanager
from datetime import UTC, datetime
from pathlib import Path

import asyncpg
import httpx
import pytest
from aiokafka.admin import AIOKafkaAdminClient

from suivi_infra.kafka import make_producer
from suivi_infra.settings import KafkaSettings, PostgresSettings
from suivi_infra.testing import TopicFactory, free_port, group_caught_up
from suivi_normalizer.domain.envelope import envelope_for
from suivi_notifier.testing.events import order

pytestmark = pytest.mark.integration

RAW_FIXTURE = (
    Path(__file__).resolve().parents[2]
    / "services/normalizer/tests/fixtures/suivi/history_out_of_order.json"
)


@pytest.fixture
async def schemas(postgres_settings: PostgresSettings) -> AsyncIterator[tuple[str, str]]:
    """Two PostgreSQL schemas of the test's own (projector, notifier), dropped afterwards."""
    names = [f"test_{uuid.uuid4().hex[:12]}" for _ in range(2)]
    conn = await asyncpg.connect(postgres_settings.database_url)
    try:
        for name in names:
            await conn.execute(f'CREATE SCHEMA "{name}"')
        yield names[0], names[1]
        for name in names:
            await conn.execute(f'DROP SCHEMA "{name}" CASCADE')
    finally:
        await conn.close()


@contextmanager
def running(script: str, env: dict[str, str], logs: Path) -> Iterator[subprocess.Popen[bytes]]:
    """The console script as a process, its output in `logs`; stopped by SIGTERM at the end."""
    with (logs / f"{script}.log").open("wb") as out:
        process = subprocess.Popen(  # noqa: S603 - our own console script
            [str(Path(sys.executable).with_name(script))], env=env, stdout=out, stderr=out
        )
        try:
            yield process
        finally:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


async def topic_names(kafka: KafkaSettings) -> list[str]:
    admin = AIOKafkaAdminClient(bootstrap_servers=kafka.bootstrap_servers)
    await admin.start()
    try:
        names: list[str] = await admin.list_topics()
        return names
    finally:
        await admin.close()


async def answers(url: str, seconds: float = 60) -> bool:
    """Whether the URL answers 200 within `seconds` (polled)."""
    deadline = asyncio.get_running_loop().time() + seconds
    async with httpx.AsyncClient(timeout=5) as http:
        while asyncio.get_running_loop().time() < deadline:
            try:
                if (await http.get(url)).status_code == 200:
                    return True
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.3)
    return False


async def test_every_service_starts_against_a_list_of_bootstrap_servers(
    kafka_settings: KafkaSettings,
    kafka_topic: TopicFactory,
    postgres_settings: PostgresSettings,
    schemas: tuple[str, str],
    tmp_path: Path,
) -> None:
    # The first address refuses connections: the clients must go on to the next one.
    servers = f"127.0.0.1:{free_port()},{kafka_settings.bootstrap_env}"
    raw, status, orders = (
        await kafka_topic("raw"),
        await kafka_topic("status"),
        await kafka_topic("orders"),
    )
    # Dead-letter topics nobody created: only `suivi-topics` creates topics, never a service.
    absent = [f"absent.{uuid.uuid4().hex[:12]}" for _ in range(2)]
    groups = {name: f"start-{name}-{uuid.uuid4().hex[:6]}" for name in ("n", "p", "x")}
    ports = {name: free_port() for name in ("ingest", "n", "p", "x")}
    base = {**os.environ, "KAFKA_BOOTSTRAP_SERVERS": servers}
    db = postgres_settings.database_url
    envs = {
        "suivi-ingest": {"SUIVI_INGEST_PORT": str(ports["ingest"]), "SUIVI_INGEST_RAW_TOPIC": raw},
        "suivi-normalizer": {
            "SUIVI_NORMALIZER_RAW_TOPIC": raw,
            "SUIVI_NORMALIZER_STATUS_TOPIC": status,
            "SUIVI_NORMALIZER_DLQ_TOPIC": await kafka_topic("dlq", partitions=1),
            "SUIVI_NORMALIZER_GROUP_ID": groups["n"],
            "SUIVI_NORMALIZER_METRICS_PORT": str(ports["n"]),
        },
        "suivi-projector": {
            # asyncpg passes unknown DSN parameters as server settings: the test's own schema.
            "DATABASE_URL": f"{db}?search_path={schemas[0]}",
            "SUIVI_PROJECTIONS_STATUS_TOPIC": status,
            "SUIVI_PROJECTIONS_ORDERS_TOPIC": orders,
            "SUIVI_PROJECTIONS_DLQ_TOPIC": absent[0],
            "SUIVI_PROJECTIONS_MONITOR_ENABLED": "false",
            "SUIVI_PROJECTIONS_GROUP_ID": groups["p"],
            "SUIVI_PROJECTIONS_METRICS_PORT": str(ports["p"]),
        },
        "suivi-notifier": {
            "DATABASE_URL": f"{db}?search_path={schemas[1]}",
            "SUIVI_NOTIFIER_STATUS_TOPIC": status,
            "SUIVI_NOTIFIER_ORDERS_TOPIC": orders,
            "SUIVI_NOTIFIER_ALERTS_TOPIC": await kafka_topic("alerts", partitions=1),
            "SUIVI_NOTIFIER_RESULTS_TOPIC": await kafka_topic("results"),
            "SUIVI_NOTIFIER_DLQ_TOPIC": absent[1],
            "SUIVI_NOTIFIER_GROUP_ID": groups["x"],
            "SUIVI_NOTIFIER_PORT": str(ports["x"]),
        },
    }
    with ExitStack() as stack:
        processes = {
            script: stack.enter_context(running(script, base | env, tmp_path))
            for script, env in envs.items()
        }
        producer = make_producer(kafka_settings)
        await producer.start()
        try:
            raw_event = envelope_for("suivi", RAW_FIXTURE.read_text(), datetime.now(UTC))
            await producer.send_and_wait(raw, raw_event.model_dump_json().encode())
            await producer.send_and_wait(orders, order("5001").model_dump_json().encode())
        finally:
            await producer.stop()

        assert await answers(f"http://127.0.0.1:{ports['ingest']}/readyz"), "ingest not ready"
        assert await answers(f"http://127.0.0.1:{ports['x']}/readyz"), "notifier not ready"
        # Each consumer consumed and committed what its topics hold (the normalizer's output too).
        assert await group_caught_up(kafka_settings, groups["n"], [raw], seconds=60)
        assert await group_caught_up(kafka_settings, groups["p"], [status, orders], seconds=60)
        assert await group_caught_up(kafka_settings, groups["x"], [status, orders], seconds=60)
        exited = {script: p.returncode for script, p in processes.items() if p.poll() is not None}
        assert not exited, {s: (tmp_path / f"{s}.log").read_text()[-1500:] for s in exited}
    assert not set(absent) & set(await topic_names(kafka_settings))
