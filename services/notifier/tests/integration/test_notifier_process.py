"""The `suivi-notifier` console script as deployed: a process that consumes, sends, serves its
HTTP API, and stops cleanly on SIGTERM."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import uuid
from datetime import UTC, datetime
from pathlib import Path

import httpx

from suivi_infra.kafka import make_producer
from suivi_infra.settings import KafkaSettings, PostgresSettings
from suivi_infra.testing import TopicFactory
from suivi_notifier.testing.events import order, status
from suivi_notifier.testing.smtp_peer import SmtpPeer


async def test_notifier_process_sends_serves_and_stops_on_sigterm(
    kafka_settings: KafkaSettings,
    kafka_topic: TopicFactory,
    postgres_settings: PostgresSettings,
    pg_schema: str,
    smtp_peer: SmtpPeer,
    unused_tcp_port: int,
) -> None:
    orders_topic, status_topic = await kafka_topic("orders"), await kafka_topic("status")
    alerts_topic = await kafka_topic("alerts", partitions=1)
    returns_topic, claims_topic = await kafka_topic("returns"), await kafka_topic("claims")
    env = {
        **os.environ,
        "KAFKA_BOOTSTRAP_SERVERS": kafka_settings.bootstrap_env,
        # asyncpg passes unknown DSN parameters as server settings: the test's own schema.
        "DATABASE_URL": f"{postgres_settings.database_url}?search_path={pg_schema}",
        "SUIVI_NOTIFIER_ORDERS_TOPIC": orders_topic,
        "SUIVI_NOTIFIER_STATUS_TOPIC": status_topic,
        "SUIVI_NOTIFIER_ALERTS_TOPIC": alerts_topic,
        "SUIVI_NOTIFIER_RETURNS_TOPIC": returns_topic,
        "SUIVI_NOTIFIER_CLAIMS_TOPIC": claims_topic,
        "SUIVI_NOTIFIER_MERCHANTS_TOPIC": await kafka_topic("merchants", partitions=1),
        "SUIVI_NOTIFIER_RESULTS_TOPIC": await kafka_topic("results"),
        "SUIVI_NOTIFIER_DLQ_TOPIC": await kafka_topic("dlq", partitions=1),
        "SUIVI_NOTIFIER_GROUP_ID": f"proc-{uuid.uuid4().hex[:8]}",
        "SUIVI_NOTIFIER_PORT": str(unused_tcp_port),
        "SUIVI_NOTIFIER_DEBOUNCE_SECONDS": "0.5",
        "SUIVI_NOTIFIER_POLL_INTERVAL_SECONDS": "0.2",
        "SUIVI_NOTIFIER_SMTP_HOST": "127.0.0.1",
        "SUIVI_NOTIFIER_SMTP_PORT": str(smtp_peer.port),
    }
    script = Path(sys.executable).with_name("suivi-notifier")
    process = await asyncio.create_subprocess_exec(str(script), env=env, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{unused_tcp_port}"
    try:
        producer = make_producer(kafka_settings)
        await producer.start()
        placed = order("4001")
        shipped = status("in_transit", datetime.now(UTC))
        await producer.send_and_wait(orders_topic, placed.model_dump_json().encode())
        await producer.send_and_wait(status_topic, shipped.model_dump_json().encode())
        await producer.stop()

        topics = {orders_topic, status_topic, alerts_topic, returns_topic, claims_topic}
        [mail] = await smtp_peer.wait_for(1, seconds=60)
        assert mail["Subject"] == "Your order 4001 has shipped"
        sent = (
            'suivi_notifier_messages_total{channel="email",outcome="sent",trigger="in_transit"} 1.0'
        )
        async with httpx.AsyncClient(base_url=base) as http:
            assert (await http.get("/healthz")).status_code == 200
            assert (await http.get("/readyz")).status_code == 200
            for _ in range(50):  # the outcome is recorded just after the SMTP transaction
                metrics = (await http.get("/metrics")).text
                if sent in metrics:
                    break
                await asyncio.sleep(0.1)
        assert sent in metrics
        # Consumer lag per partition, sampled every few seconds, for the five consumed topics.
        async with httpx.AsyncClient(base_url=base) as http:
            for _ in range(40):
                metrics = (await http.get("/metrics")).text
                if len({t for t in topics if f'topic="{t}"' in metrics}) >= len(topics):
                    break
                await asyncio.sleep(0.5)
        lag_topics = {
            line.split('topic="')[1].split('"')[0]
            for line in metrics.splitlines()
            if line.startswith("suivi_kafka_consumer_lag{")
        }
        assert topics <= lag_topics
    finally:
        if process.returncode is None:
            process.send_signal(signal.SIGTERM)
        _, stderr = await asyncio.wait_for(process.communicate(), 60)
    assert process.returncode == 0, stderr.decode()[-3000:]
    log = stderr.decode()
    assert "jane@example.com" not in log and "+33612345678" not in log
