"""The service as composed in production, against the real broker (`make up`)."""

from __future__ import annotations

import asyncio
import json
import socket
import time
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
import uvicorn
from aiokafka import ConsumerRecord
from fastapi import FastAPI

from suivi_infra.kafka import make_consumer
from suivi_infra.settings import KafkaSettings
from suivi_infra.testing import TopicFactory
from suivi_ingest.bootstrap import build_app
from suivi_ingest.settings import IngestSettings
from suivi_ingest.testing.signers import suivi_headers
from suivi_schemas.raw import RawProviderEvent

SECRET = "whsec_integration"


def _settings(kafka: KafkaSettings, topic: str, **extra: object) -> IngestSettings:
    return IngestSettings.model_validate(
        {"kafka": kafka, "raw_topic": topic, "suivi_secret": SECRET, "metrics_port": 0, **extra}
    )


@asynccontextmanager
async def _running(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    """The app with its lifespan (producer started, then flushed and stopped)."""
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://ingest") as client:
            yield client


def _signed(body: bytes) -> dict[str, str]:
    return {"content-type": "application/json", **suivi_headers(body, SECRET, int(time.time()))}


async def _consume(kafka: KafkaSettings, topic: str, count: int) -> list[ConsumerRecord]:
    consumer = make_consumer(kafka, f"ingest-test-{uuid.uuid4().hex[:8]}", topic)
    await consumer.start()
    records: list[ConsumerRecord] = []
    try:
        deadline = time.monotonic() + 20
        while len(records) < count and time.monotonic() < deadline:
            batches = await consumer.getmany(timeout_ms=500)
            for batch in batches.values():
                records.extend(batch)
    finally:
        await consumer.stop()
    return records


async def test_signed_webhook_lands_on_the_topic_keyed_by_shipment(
    kafka_settings: KafkaSettings, kafka_topic: TopicFactory
) -> None:
    topic = await kafka_topic("ingest-raw", partitions=6)
    bodies = [
        json.dumps(
            {"delivery_id": f"dlv_{n}", "tracking_number": "1z 999aa1 0123456784", "n": n}
        ).encode()
        for n in range(3)
    ]
    async with _running(build_app(_settings(kafka_settings, topic))) as client:
        assert (await client.get("/readyz")).status_code == 200
        responses = [
            await client.post("/v1/webhooks/suivi", content=b, headers=_signed(b)) for b in bodies
        ]
    assert [r.status_code for r in responses] == [202, 202, 202]

    records = await _consume(kafka_settings, topic, 3)
    assert [r.key for r in records] == [b"suivi:1Z999AA10123456784"] * 3
    assert len({r.partition for r in records}) == 1  # one shipment, one partition, in order
    events = [RawProviderEvent.model_validate_json(r.value) for r in records]
    assert [str(e.event_id) for e in events] == [r.json()["raw_event_id"] for r in responses]
    assert [e.body.encode() for e in events] == bodies
    assert [e.delivery_id for e in events] == ["dlv_0", "dlv_1", "dlv_2"]


async def test_kafka_unreachable_answers_503_quickly() -> None:
    closed = KafkaSettings(bootstrap_servers=["127.0.0.1:1"], request_timeout_ms=1000)
    settings = _settings(
        closed, "tracking.raw.v1", publish_timeout_seconds=1.0, readiness_probe_seconds=0.5
    )
    body = b'{"tracking_number":"X1"}'
    started = time.monotonic()
    async with _running(build_app(settings)) as client:
        response = await client.post("/v1/webhooks/suivi", content=body, headers=_signed(body))
        ready = await client.get("/readyz")
    assert response.status_code == 503
    assert response.headers["retry-after"] == "30"
    assert response.json()["error"] == "kafka_unavailable"
    assert ready.status_code == 503
    assert time.monotonic() - started < 10


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


async def test_under_uvicorn_everything_acknowledged_is_on_the_topic(
    kafka_settings: KafkaSettings, kafka_topic: TopicFactory
) -> None:
    topic = await kafka_topic("ingest-raw", partitions=1)
    port = _free_port()
    settings = _settings(kafka_settings, topic, port=port)
    server = uvicorn.Server(
        uvicorn.Config(build_app(settings), host="127.0.0.1", port=port, log_config=None)
    )
    serving = asyncio.create_task(server.serve())
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as client:
            for _ in range(100):
                if server.started:
                    break
                await asyncio.sleep(0.05)
            body = b'{"tracking_number":"LA123456789FR"}'
            posts = [
                client.post("/v1/webhooks/suivi", content=body, headers=_signed(body))
                for _ in range(20)
            ]
            answers = await asyncio.gather(*posts)
    finally:
        server.should_exit = True
        await asyncio.wait_for(serving, 30)
    assert {a.status_code for a in answers} == {202}
    records = await _consume(kafka_settings, topic, 20)
    assert len(records) == 20
