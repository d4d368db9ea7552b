"""`suivi-tracker` as deployed (its console script, its environment): it starts while Kafka and
PostgreSQL refuse connections, answers /healthz at once and /readyz 503, retries, becomes ready
once they answer (migrating its schema first), serves /metrics on its own port, and a SIGTERM
stops it cleanly (exit 0)."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
import uuid
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import httpx
import pytest

from suivi_infra.ports import free_port
from suivi_infra.settings import KafkaSettings, PostgresSettings
from suivi_infra.tcpgate import TcpGate
from suivi_infra.testing import TopicFactory

pytestmark = pytest.mark.integration


async def status_of(url: str) -> int | None:
    async with httpx.AsyncClient(timeout=2) as http:
        try:
            return (await http.get(url)).status_code
        except httpx.HTTPError:
            return None


async def until(url: str, status: int, seconds: float = 60) -> bool:
    for _ in range(int(seconds / 0.2)):
        if await status_of(url) == status:
            return True
        await asyncio.sleep(0.2)
    return False


async def test_starts_while_its_dependencies_are_away_then_becomes_ready(
    kafka_settings: KafkaSettings, kafka_topic: TopicFactory,
    postgres_settings: PostgresSettings, pg_schema: str, tmp_path: Path,
) -> None:  # fmt: skip
    kafka_host, kafka_port = kafka_settings.bootstrap_servers[0].rsplit(":", 1)
    kafka_gate = TcpGate(kafka_host, int(kafka_port))
    db = urlsplit(postgres_settings.database_url)
    pg_gate = TcpGate(db.hostname or "127.0.0.1", db.port or 5432)
    credentials = db.netloc.rpartition("@")[0]
    query = f"search_path={pg_schema}"
    gated_db = urlunsplit(db._replace(netloc=f"{credentials}@{pg_gate.address}", query=query))
    port, metrics = free_port(), free_port()
    env = {
        **os.environ,
        "KAFKA_BOOTSTRAP_SERVERS": kafka_gate.address,
        "DATABASE_URL": gated_db,
        "SUIVI_TRACKER_PORT": str(port),
        "SUIVI_TRACKER_METRICS_PORT": str(metrics),
        "SUIVI_TRACKER_MIGRATE_ON_START": "true",
        "SUIVI_TRACKER_ORDERS_TOPIC": await kafka_topic("orders"),
        "SUIVI_TRACKER_STATUS_TOPIC": await kafka_topic("status"),
        "SUIVI_TRACKER_RAW_TOPIC": await kafka_topic("raw"),
        "SUIVI_TRACKER_GROUP_ID": f"tracker-{uuid.uuid4().hex[:8]}",
    }
    log = tmp_path / "tracker.log"
    with log.open("wb") as out:
        script = str(Path(sys.executable).with_name("suivi-tracker"))
        process = await asyncio.create_subprocess_exec(script, env=env, stdout=out, stderr=out)
    base = f"http://127.0.0.1:{port}"
    try:
        assert await until(f"{base}/healthz", 200), log.read_text()
        assert await status_of(f"{base}/readyz") == 503
        assert await until(f"http://127.0.0.1:{metrics}/metrics", 200)
        for _ in range(100):  # retried, not given up
            if log.read_text().count("not available (attempt") >= 2:
                break
            await asyncio.sleep(0.2)
        assert process.returncode is None, log.read_text()
        await pg_gate.open()
        await kafka_gate.open()
        assert await until(f"{base}/readyz", 200, seconds=90), log.read_text()
    finally:
        process.send_signal(signal.SIGTERM)
        code = await asyncio.wait_for(process.wait(), 60)
        await kafka_gate.close()
        await pg_gate.close()
    assert code == 0, log.read_text()[-3000:]
