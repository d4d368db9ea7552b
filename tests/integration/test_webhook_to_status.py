"""End to end through the real broker: signed webhooks POSTed to ingest (uvicorn) come out of
the normalizer as canonical events; a replayed webhook yields the very same event ids."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path

import httpx
import pytest
import uvicorn
from aiokafka import AIOKafkaConsumer
from pydantic import SecretStr

from suivi_infra.kafka import make_consumer
from suivi_infra.settings import KafkaSettings
from suivi_infra.testing import TopicFactory
from suivi_ingest.bootstrap import build_app
from suivi_ingest.settings import IngestSettings
from suivi_ingest.testing.signers import (
    aftership_headers,
    easypost_headers,
    shippo_headers,
    suivi_headers,
)
from suivi_normalizer.bootstrap import NormalizerService, bootstrap
from suivi_normalizer.settings import NormalizerSettings
from suivi_normalizer.testing.golden import normalize_fixture
from suivi_schemas import ShipmentStatusEvent

pytestmark = pytest.mark.integration

FIXTURES = Path(__file__).resolve().parents[2] / "services" / "normalizer" / "tests" / "fixtures"
SECRET = "e2e-secret-ü"  # non-ASCII on purpose: EasyPost NFKD-normalizes its secret

Signer = Callable[[bytes], dict[str, str]]
SIGNERS: dict[str, Signer] = {
    "easypost": lambda body: easypost_headers(body, SECRET),
    "aftership": lambda body: aftership_headers(body, SECRET),
    "shippo": lambda body: shippo_headers(body, SECRET, int(time.time())),
    "suivi": lambda body: suivi_headers(body, SECRET, int(time.time())),
}
WEBHOOKS = [
    ("easypost", "in_transit_out_of_order.json"),
    ("aftership", "colissimo_french_local_times.json"),
    ("shippo", "usps_unordered_history.json"),
    ("suivi", "history_out_of_order.json"),
]


@asynccontextmanager
async def serving(settings: IngestSettings) -> AsyncIterator[str]:
    """The real ingest app under uvicorn on an ephemeral port; yields its base URL."""
    config = uvicorn.Config(build_app(settings), host="127.0.0.1", port=0, log_level="warning")
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    while not server.started:
        await asyncio.sleep(0.02)
        if task.done():
            task.result()
    port = server.servers[0].sockets[0].getsockname()[1]
    url = f"http://127.0.0.1:{port}"
    try:
        # The producer connects in the background: until then ingest rightly answers 503.
        async with httpx.AsyncClient(base_url=url) as http:
            for _ in range(200):
                if (await http.get("/readyz")).status_code == 200:
                    break
                await asyncio.sleep(0.05)
        yield url
    finally:
        server.should_exit = True
        await task


async def _collect(
    consumer: AIOKafkaConsumer, want: int, quiet_ms: int = 1500
) -> list[ShipmentStatusEvent]:
    """Reads until `want` events arrived and then nothing more for `quiet_ms` (or 30 s)."""
    events: list[ShipmentStatusEvent] = []
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        batch = await consumer.getmany(timeout_ms=quiet_ms if len(events) >= want else 500)
        if not batch and len(events) >= want:
            break
        for records in batch.values():
            events.extend(ShipmentStatusEvent.model_validate_json(r.value) for r in records)
    return events


async def _processed(service: NormalizerService, raw_records: int) -> None:
    for _ in range(300):
        done = service.registry.get_sample_value("suivi_normalizer_batch_size_records_sum") or 0
        if done >= raw_records:
            return
        await asyncio.sleep(0.1)
    raise AssertionError(f"the normalizer did not process {raw_records} raw records")


async def test_signed_webhooks_to_canonical_events_and_replays_keep_their_ids(
    kafka_settings: KafkaSettings, kafka_topic: TopicFactory
) -> None:
    raw_topic = await kafka_topic("raw", partitions=3)
    status_topic = await kafka_topic("status", partitions=3)
    dlq_topic = await kafka_topic("dlq", partitions=1)
    secret = SecretStr(SECRET)
    ingest = IngestSettings(
        kafka=kafka_settings, raw_topic=raw_topic, easypost_secret=secret,
        aftership_secret=secret, shippo_secret=secret, suivi_secret=secret, metrics_port=0,
    )  # fmt: skip
    normalizer = NormalizerSettings(
        kafka=kafka_settings, raw_topic=raw_topic, status_topic=status_topic, dlq_topic=dlq_topic,
        group_id=f"e2e-{uuid.uuid4().hex[:8]}", metrics_port=0,
    )  # fmt: skip
    expected = {
        provider: [e.event_id for e in normalize_fixture(provider, FIXTURES / provider / name)]
        for provider, name in WEBHOOKS
    }
    bodies = {provider: (FIXTURES / provider / name).read_bytes() for provider, name in WEBHOOKS}
    all_ids = {i for ids in expected.values() for i in ids}

    reader = make_consumer(kafka_settings, f"reader-{uuid.uuid4().hex[:6]}", status_topic)
    await reader.start()
    service = bootstrap(normalizer, serve_metrics=False)
    try:
        async with serving(ingest) as url, httpx.AsyncClient(base_url=url) as http, service.app:

            async def post(provider: str) -> uuid.UUID:
                body = bodies[provider]
                headers = {"Content-Type": "application/json", **SIGNERS[provider](body)}
                response = await http.post(
                    f"/v1/webhooks/{provider}", content=body, headers=headers
                )
                assert response.status_code == 202, response.text
                return uuid.UUID(response.json()["raw_event_id"])

            raw_ids = {provider: await post(provider) for provider, _ in WEBHOOKS}
            first = await _collect(reader, len(all_ids))

            # The same webhooks again (a provider retrying): accepted, but nothing new comes out.
            replay_ids = {provider: await post(provider) for provider, _ in WEBHOOKS}
            await _processed(service, 2 * len(WEBHOOKS))
            again = await _collect(reader, 0)
    finally:
        await reader.stop()

    assert {e.event_id for e in first} == all_ids
    assert len(first) == len(all_ids)  # each checkpoint once
    for provider, ids in expected.items():
        mine = [e for e in first if e.provider == provider]
        assert {e.event_id for e in mine} == set(ids)
        assert {e.raw_event_id for e in mine} == {raw_ids[provider]}
        # One shipment's events keep their order on its partition: oldest first.
        assert [e.occurred_at for e in mine] == sorted(e.occurred_at for e in mine)
    assert again == []
    assert set(replay_ids.values()).isdisjoint(raw_ids.values())

    # A normalizer without memory of what was published (e.g. after a restart) re-reads the raw
    # topic: the replayed webhooks produce exactly the same event ids as the first deliveries.
    fresh_topic = await kafka_topic("status-fresh", partitions=3)
    fresh = bootstrap(
        normalizer.model_copy(update={
            "group_id": f"e2e-fresh-{uuid.uuid4().hex[:8]}", "status_topic": fresh_topic,
            "recent_ids": 0, "max_records": 1,  # no memory across batches, one record a batch
        }),
        serve_metrics=False,
    )  # fmt: skip
    reader = make_consumer(kafka_settings, f"reader-{uuid.uuid4().hex[:6]}", fresh_topic)
    await reader.start()
    try:
        async with fresh.app:
            replayed = await _collect(reader, 2 * len(all_ids))
    finally:
        await reader.stop()
    by_raw: dict[uuid.UUID, set[uuid.UUID]] = {}
    for event in replayed:
        by_raw.setdefault(event.raw_event_id, set()).add(event.event_id)
    for provider in expected:
        assert by_raw[replay_ids[provider]] == by_raw[raw_ids[provider]] == set(expected[provider])
