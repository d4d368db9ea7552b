"""Large bodies against the real broker: stored (202) or refused for good (413), never 503."""

from __future__ import annotations

import json
import random
import string
import time
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
from fastapi import FastAPI

from suivi_infra.kafka import make_consumer
from suivi_infra.settings import KafkaSettings
from suivi_infra.testing import TopicFactory
from suivi_ingest.bootstrap import build_app
from suivi_ingest.settings import IngestSettings
from suivi_ingest.testing.signers import suivi_headers
from suivi_schemas.raw import RawProviderEvent

SECRET = "whsec_size"
TOPIC_LIMIT = 100_000  # the test topics' max.message.bytes, small enough to reach quickly


def _settings(kafka: KafkaSettings, topic: str, **extra: object) -> IngestSettings:
    return IngestSettings.model_validate(
        {"kafka": kafka, "raw_topic": topic, "suivi_secret": SECRET, "metrics_port": 0, **extra}
    )


@asynccontextmanager
async def _running(settings: IngestSettings) -> AsyncIterator[httpx.AsyncClient]:
    app: FastAPI = build_app(settings)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://ingest") as client:
            yield client


async def _post(client: httpx.AsyncClient, body: bytes) -> httpx.Response:
    headers = {"content-type": "application/json"}
    headers.update(suivi_headers(body, SECRET, int(time.time())))
    return await client.post("/v1/webhooks/suivi", content=body, headers=headers)


def _tracking_update(size: int) -> bytes:
    """A realistic provider body of exactly `size` bytes: many short fields, so many quotes
    that JSON escapes again inside the envelope (it grows by about a fifth)."""
    checkpoint = json.dumps(
        {"status": "in_transit", "message": "Arrived at facility", "city": "Lyon"}
    )
    count = (size - 100) // (len(checkpoint) + 2)
    events = ", ".join([checkpoint] * count)
    text = f'{{"tracking_number": "LA1FR", "events": [{events}], "pad": ""}}'
    return text[:-2].encode() + b"x" * (size - len(text)) + b'"}'


def _incompressible(size: int, seed: int = 7) -> bytes:
    """A JSON object of exactly `size` bytes whose text no codec shrinks much."""
    alphabet = string.ascii_letters + string.digits
    pad = "".join(random.Random(seed).choices(alphabet, k=size - len('{"pad":""}')))
    return json.dumps({"pad": pad}).encode()


def _plain(size: int) -> bytes:
    """A JSON object of exactly `size` bytes with nothing to escape in the envelope."""
    return b'{"pad":"' + b"a" * (size - len(b'{"pad":""}')) + b'"}'


async def _bodies_on(kafka: KafkaSettings, topic: str) -> list[bytes]:
    consumer = make_consumer(kafka, f"size-test-{uuid.uuid4().hex[:8]}", topic)
    await consumer.start()
    try:
        batches = await consumer.getmany(timeout_ms=3000, max_records=100)
    finally:
        await consumer.stop()
    records = [r for batch in batches.values() for r in batch]
    return [RawProviderEvent.model_validate_json(r.value).body.encode() for r in records]


async def test_a_950_kb_tracking_update_is_stored_not_answered_503(
    kafka_settings: KafkaSettings, kafka_topic: TopicFactory
) -> None:
    topic = await kafka_topic("ingest-size", partitions=1)  # the broker's default limit
    body = _tracking_update(950_000)
    assert len(body) == 950_000
    async with _running(_settings(kafka_settings, topic)) as client:
        answer = await _post(client, body)
    assert answer.status_code == 202, answer.text
    assert await _bodies_on(kafka_settings, topic) == [body]


async def test_without_compression_the_limit_is_exact(
    kafka_settings: KafkaSettings, kafka_topic: TopicFactory
) -> None:
    topic = await kafka_topic("ingest-size", partitions=1, **{"max.message.bytes": "100000"})
    settings = _settings(kafka_settings, topic, max_message_bytes=TOPIC_LIMIT, compression="none")
    async with _running(settings) as client:
        # The largest body accepted, by bisection: every answer is 202 or 413.
        low, high = 1_000, TOPIC_LIMIT + 1
        while high - low > 1:
            middle = (low + high) // 2
            answer = await _post(client, _plain(middle))
            assert answer.status_code in {202, 413}, answer.text
            low, high = (middle, high) if answer.status_code == 202 else (low, middle)
        refused = await _post(client, _plain(low + 1))
    assert refused.status_code == 413
    assert refused.json()["error"] == "event_too_large"
    assert f"{TOPIC_LIMIT} bytes" in refused.json()["detail"]
    assert TOPIC_LIMIT - 1_000 < low < TOPIC_LIMIT  # only the envelope's few hundred bytes
    assert _plain(low) in await _bodies_on(kafka_settings, topic)


async def test_compression_stores_what_fits_and_refuses_what_cannot(
    kafka_settings: KafkaSettings, kafka_topic: TopicFactory
) -> None:
    topic = await kafka_topic("ingest-size", partitions=1, **{"max.message.bytes": "100000"})
    fits, cannot = _tracking_update(500_000), _incompressible(200_000)
    settings = _settings(kafka_settings, topic, max_message_bytes=TOPIC_LIMIT)
    async with _running(settings) as client:
        stored = await _post(client, fits)
        refused = await _post(client, cannot)
    assert stored.status_code == 202, stored.text
    assert refused.status_code == 413, refused.text
    assert refused.json()["error"] == "event_too_large"
    assert await _bodies_on(kafka_settings, topic) == [fits]


async def test_a_topic_smaller_than_configured_is_a_413_and_the_producer_goes_on(
    kafka_settings: KafkaSettings, kafka_topic: TopicFactory
) -> None:
    # Misconfigured: the setting says the broker default, the topic allows less. The broker's
    # refusal is as permanent as ours.
    topic = await kafka_topic("ingest-size", partitions=1, **{"max.message.bytes": "100000"})
    small = b'{"tracking_number":"LA1FR"}'
    async with _running(_settings(kafka_settings, topic)) as client:
        refused = await _post(client, _incompressible(200_000))
        after = await _post(client, small)
    assert refused.status_code == 413, refused.text
    assert refused.json()["error"] == "event_too_large"
    assert after.status_code == 202, after.text
    assert await _bodies_on(kafka_settings, topic) == [small]
