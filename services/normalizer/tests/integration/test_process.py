"""The `suivi-normalizer` console script as it is deployed: a process, stopped by SIGTERM."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import uuid
from datetime import UTC, datetime
from pathlib import Path

from suivi_infra.kafka import make_consumer, make_producer
from suivi_infra.settings import KafkaSettings
from suivi_infra.testing import TopicFactory, free_port
from suivi_normalizer.testing.envelope import envelope_for

FIXTURE = Path(__file__).parents[1] / "fixtures" / "suivi" / "history_out_of_order.json"


async def test_process_normalizes_serves_metrics_and_stops_on_sigterm(
    kafka_settings: KafkaSettings, kafka_topic: TopicFactory
) -> None:
    unused_tcp_port = free_port()
    raw_topic = await kafka_topic("raw")
    status_topic = await kafka_topic("status")
    dlq_topic = await kafka_topic("dlq", partitions=1)
    env = {
        **os.environ,
        "KAFKA_BOOTSTRAP_SERVERS": kafka_settings.bootstrap_env,
        "SUIVI_NORMALIZER_RAW_TOPIC": raw_topic,
        "SUIVI_NORMALIZER_STATUS_TOPIC": status_topic,
        "SUIVI_NORMALIZER_DLQ_TOPIC": dlq_topic,
        "SUIVI_NORMALIZER_GROUP_ID": f"proc-{uuid.uuid4().hex[:8]}",
        "SUIVI_NORMALIZER_METRICS_PORT": str(unused_tcp_port),
    }
    script = Path(sys.executable).with_name("suivi-normalizer")
    process = await asyncio.create_subprocess_exec(str(script), env=env, stderr=subprocess.PIPE)
    try:
        producer = make_producer(kafka_settings)
        await producer.start()
        raw = envelope_for("suivi", FIXTURE.read_text(), datetime.now(UTC))
        await producer.send_and_wait(raw_topic, raw.model_dump_json().encode())
        await producer.stop()

        reader = make_consumer(kafka_settings, f"r-{uuid.uuid4().hex[:6]}", status_topic)
        await reader.start()
        got: list[bytes] = []
        try:
            for _ in range(60):
                for records in (await reader.getmany(timeout_ms=500)).values():
                    got.extend(r.value for r in records)
                if len(got) >= 3:
                    break
        finally:
            await reader.stop()
        assert len(got) == 3

        import httpx

        async with httpx.AsyncClient() as http:
            metrics = (await http.get(f"http://127.0.0.1:{unused_tcp_port}/metrics")).text
        assert (
            'suivi_normalizer_events_published_total{provider="suivi",status="in_transit"} 2.0'
            in metrics
        )
        # Lag is sampled every few seconds: caught up, every partition at 0.
        lag_line = f'suivi_kafka_consumer_lag{{group="{env["SUIVI_NORMALIZER_GROUP_ID"]}"'
        async with httpx.AsyncClient() as http:
            for _ in range(40):
                metrics = (await http.get(f"http://127.0.0.1:{unused_tcp_port}/metrics")).text
                lags = [line for line in metrics.splitlines() if line.startswith(lag_line)]
                if len(lags) == 3:
                    break
                await asyncio.sleep(0.5)
        assert len(lags) == 3, metrics
        assert all(line.endswith(" 0.0") for line in lags), lags
    finally:
        process.send_signal(signal.SIGTERM)
        _, stderr = await asyncio.wait_for(process.communicate(), timeout=60)
    assert process.returncode == 0, stderr.decode()[-2000:]
