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
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import httpx
import pytest
from aiokafka.admin import AIOKafkaAdminClient

from suivi_infra.kafka import make_producer
from suivi_infra.settings import KafkaSettings, PostgresSettings
from suivi_infra.tcpgate import TcpGate
from suivi_infra.testing import TopicFactory, free_port, group_caught_up
from suivi_normalizer.testing.envelope import envelope_for
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


async def answers(url: str, status: int = 200, containing: str = "", seconds: float = 90) -> bool:
    """Whether the URL answers `status` with a body `containing`, within `seconds` (polled)."""
    deadline = asyncio.get_running_loop().time() + seconds
    async with httpx.AsyncClient(timeout=5) as http:
        while asyncio.get_running_loop().time() < deadline:
            try:
                response = await http.get(url)
                if response.status_code == status and containing in response.text:
                    return True
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.3)
    return False


@dataclass
class Stack:
    """The consuming services' environments, on topics and schemas of the test's own."""

    envs: dict[str, dict[str, str]]
    ports: dict[str, int]
    raw: str
    status: str
    orders: str
    groups: dict[str, str]
    absent: list[str]

    def url(self, script: str, path: str) -> str:
        return f"http://127.0.0.1:{self.ports[script]}{path}"


async def consuming_stack(kafka_topic: TopicFactory, db: str, schemas: tuple[str, str]) -> Stack:
    raw, status = await kafka_topic("raw"), await kafka_topic("status")
    orders = await kafka_topic("orders")
    # Dead-letter topics nobody created: only `suivi-topics` creates topics, never a service.
    absent = [f"absent.{uuid.uuid4().hex[:12]}" for _ in range(2)]
    groups = {name: f"start-{name}-{uuid.uuid4().hex[:6]}" for name in ("n", "p", "x")}
    scripts = ("suivi-normalizer", "suivi-projector", "suivi-notifier", "suivi-projections-api")
    ports = {script: free_port() for script in scripts}
    envs = {
        "suivi-normalizer": {
            "SUIVI_NORMALIZER_RAW_TOPIC": raw,
            "SUIVI_NORMALIZER_STATUS_TOPIC": status,
            "SUIVI_NORMALIZER_DLQ_TOPIC": await kafka_topic("dlq", partitions=1),
            "SUIVI_NORMALIZER_GROUP_ID": groups["n"],
            "SUIVI_NORMALIZER_METRICS_PORT": str(ports["suivi-normalizer"]),
        },
        "suivi-projector": {
            # asyncpg passes unknown DSN parameters as server settings: the test's own schema.
            "DATABASE_URL": f"{db}?search_path={schemas[0]}",
            "SUIVI_PROJECTIONS_STATUS_TOPIC": status,
            "SUIVI_PROJECTIONS_ORDERS_TOPIC": orders,
            "SUIVI_PROJECTIONS_DLQ_TOPIC": absent[0],
            "SUIVI_PROJECTIONS_MONITOR_ENABLED": "false",
            "SUIVI_PROJECTIONS_GROUP_ID": groups["p"],
            "SUIVI_PROJECTIONS_METRICS_PORT": str(ports["suivi-projector"]),
        },
        "suivi-notifier": {
            "DATABASE_URL": f"{db}?search_path={schemas[1]}",
            "SUIVI_NOTIFIER_STATUS_TOPIC": status,
            "SUIVI_NOTIFIER_ORDERS_TOPIC": orders,
            "SUIVI_NOTIFIER_ALERTS_TOPIC": await kafka_topic("alerts", partitions=1),
            "SUIVI_NOTIFIER_RESULTS_TOPIC": await kafka_topic("results"),
            "SUIVI_NOTIFIER_DLQ_TOPIC": absent[1],
            "SUIVI_NOTIFIER_GROUP_ID": groups["x"],
            "SUIVI_NOTIFIER_PORT": str(ports["suivi-notifier"]),
        },
        "suivi-projections-api": {
            "DATABASE_URL": f"{db}?search_path={schemas[0]}",
            "SUIVI_PROJECTIONS_PORT": str(ports["suivi-projections-api"]),
        },
    }
    return Stack(envs, ports, raw, status, orders, groups, absent)


async def produce_and_check_consumed(kafka: KafkaSettings, stack: Stack) -> None:
    """A raw webhook and an order in; each consumer commits what its topics hold."""
    producer = make_producer(kafka)
    await producer.start()
    try:
        raw_event = envelope_for("suivi", RAW_FIXTURE.read_text(), datetime.now(UTC))
        await producer.send_and_wait(stack.raw, raw_event.model_dump_json().encode())
        await producer.send_and_wait(stack.orders, order("5001").model_dump_json().encode())
    finally:
        await producer.stop()
    both = [stack.status, stack.orders]
    assert await group_caught_up(kafka, stack.groups["n"], [stack.raw], seconds=60)
    assert await group_caught_up(kafka, stack.groups["p"], both, seconds=60)
    assert await group_caught_up(kafka, stack.groups["x"], both, seconds=60)


def none_exited(processes: dict[str, subprocess.Popen[bytes]], logs: Path) -> None:
    exited = {script for script, p in processes.items() if p.poll() is not None}
    assert not exited, {s: (logs / f"{s}.log").read_text()[-1500:] for s in exited}


async def test_every_service_starts_against_a_list_of_bootstrap_servers(
    kafka_settings: KafkaSettings,
    kafka_topic: TopicFactory,
    postgres_settings: PostgresSettings,
    schemas: tuple[str, str],
    tmp_path: Path,
) -> None:
    # The first address refuses connections: the clients must go on to the next one.
    servers = f"127.0.0.1:{free_port()},{kafka_settings.bootstrap_env}"
    stack = await consuming_stack(kafka_topic, postgres_settings.database_url, schemas)
    ingest_port = free_port()
    stack.envs["suivi-ingest"] = {
        "SUIVI_INGEST_PORT": str(ingest_port),
        "SUIVI_INGEST_METRICS_PORT": str(free_port()),
    }
    base = {**os.environ, "KAFKA_BOOTSTRAP_SERVERS": servers}
    with ExitStack() as stop:
        processes = {
            script: stop.enter_context(running(script, base | env, tmp_path))
            for script, env in stack.envs.items()
        }
        assert await answers(f"http://127.0.0.1:{ingest_port}/readyz"), "ingest not ready"
        assert await answers(stack.url("suivi-notifier", "/readyz")), "notifier not ready"
        await produce_and_check_consumed(kafka_settings, stack)
        none_exited(processes, tmp_path)
    assert not set(stack.absent) & set(await topic_names(kafka_settings))


async def test_every_service_waits_for_kafka_and_postgresql_then_becomes_ready(
    kafka_settings: KafkaSettings,
    kafka_topic: TopicFactory,
    postgres_settings: PostgresSettings,
    schemas: tuple[str, str],
    tmp_path: Path,
) -> None:
    kafka_host, kafka_port = kafka_settings.bootstrap_servers[0].rsplit(":", 1)
    kafka_gate = TcpGate(kafka_host, int(kafka_port))
    db = urlsplit(postgres_settings.database_url)
    pg_gate = TcpGate(db.hostname or "127.0.0.1", db.port or 5432)
    credentials = db.netloc.rpartition("@")[0]
    gated_db = urlunsplit(db._replace(netloc=f"{credentials}@{pg_gate.address}"))
    stack = await consuming_stack(kafka_topic, gated_db, schemas)
    # Both refuse connections until opened: as a broker restarting, PostgreSQL shutting down.
    base = {**os.environ, "KAFKA_BOOTSTRAP_SERVERS": kafka_gate.address}
    metrics = {s: stack.url(s, "/metrics") for s in ("suivi-normalizer", "suivi-projector")}
    readyz = {s: stack.url(s, "/readyz") for s in ("suivi-notifier", "suivi-projections-api")}
    stop = ExitStack()
    try:
        processes = {
            script: stop.enter_context(running(script, base | env, tmp_path))
            for script, env in stack.envs.items()
        }
        for url in metrics.values():
            assert await answers(url, containing="suivi_service_ready 0.0"), url
        for url in readyz.values():
            assert await answers(url, status=503), url
        # Retried, not given up: two failed attempts each, and still running.
        for script in ("suivi-normalizer", "suivi-projector", "suivi-notifier"):
            assert await logged_twice(tmp_path / f"{script}.log", "not available (attempt")
        none_exited(processes, tmp_path)

        await kafka_gate.open()
        await pg_gate.open()
        for url in metrics.values():
            assert await answers(url, containing="suivi_service_ready 1.0"), url
        for url in readyz.values():
            assert await answers(url), url
        await produce_and_check_consumed(kafka_settings, stack)
        none_exited(processes, tmp_path)
    finally:
        # Stopped in a thread: the gates (this loop) forward while the processes shut down.
        await asyncio.to_thread(stop.close)
    await kafka_gate.close()
    await pg_gate.close()


async def logged_twice(log: Path, text: str, seconds: float = 60) -> bool:
    deadline = asyncio.get_running_loop().time() + seconds
    while asyncio.get_running_loop().time() < deadline:
        if await asyncio.to_thread(_count, log, text) >= 2:
            return True
        await asyncio.sleep(0.3)
    return False


def _count(log: Path, text: str) -> int:
    return log.read_text(errors="replace").count(text) if log.exists() else 0
