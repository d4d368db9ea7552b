"""A number alone, end to end over real Kafka, PostgreSQL and HTTP: detected (USPS) → routed
to the aggregator configured (AfterShip) → registered by the scheduler at its stand-in → the
stand-in pushes a signed webhook that a real ingest accepts onto tracking.raw.v1 → (the
normalizer's part, played with its own adapter) → tracking.status.v1 → the merchant sees the
status in GET /v1/trackings; DELETE stops it and the pushes with it."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import AsyncIterator

import asyncpg
import httpx
import pytest
from aiokafka import ConsumerRecord
from pydantic import SecretStr

from suivi_infra.kafka import make_consumer, make_producer
from suivi_infra.settings import KafkaSettings
from suivi_infra.testing import TopicFactory
from suivi_ingest.bootstrap import build_app
from suivi_ingest.settings import IngestSettings
from suivi_normalizer.providers import parser_for
from suivi_schemas.events import ShipmentStatusEvent
from suivi_schemas.ids import derived_event_id
from suivi_schemas.raw import RawProviderEvent
from suivi_tracker.bootstrap import bootstrap
from suivi_tracker.settings import TrackerSettings
from suivi_tracker.testing.harness import SettableClock
from suivi_tracker.testing.standins.app import Credentials
from suivi_tracker.testing.standins.serve import serving
from suivi_tracker.testing.standins.wiring import Peers, running

pytestmark = pytest.mark.integration
SECRET = "whsec-aftership-journey"
KEY = "k" * 24
NUMBER = "9400111899223197428490"


@pytest.fixture
async def raw_topic(kafka_topic: TopicFactory) -> str:
    return await kafka_topic("raw", partitions=1)


@pytest.fixture
async def peers(kafka_settings: KafkaSettings, raw_topic: str) -> AsyncIterator[Peers]:
    ingest = IngestSettings(
        kafka=kafka_settings, raw_topic=raw_topic, metrics_port=0,
        aftership_secret=SecretStr(SECRET),
    )  # fmt: skip
    async with serving(build_app(ingest)) as ingest_url:
        async with httpx.AsyncClient(base_url=ingest_url) as http:
            for _ in range(200):  # its producer connects in the background
                if (await http.get("/readyz")).status_code == 200:
                    break
                await asyncio.sleep(0.05)
        creds = Credentials(aftership_webhook_secret=SECRET, ingest_url=ingest_url)
        async with running(creds, ingest_url=ingest_url) as peers:
            yield peers


async def test_a_number_is_registered_pushed_and_its_status_shown(
    kafka_settings: KafkaSettings, kafka_topic: TopicFactory, pg_pool: asyncpg.Pool,
    peers: Peers, raw_topic: str,
) -> None:  # fmt: skip
    settings = TrackerSettings.model_validate({
        "kafka": kafka_settings, "orders_topic": await kafka_topic("orders"),
        "status_topic": await kafka_topic("status"), "raw_topic": await kafka_topic("polled"),
        "dlq_topic": await kafka_topic("dlq"), "group_id": f"tracker-{uuid.uuid4().hex[:8]}",
        "schedule_enabled": False, "metrics_port": 0, "migrate_on_start": True,
        "batch_timeout_ms": 50, "merchant_keys": f"shop-a:{KEY}",
    })  # fmt: skip
    aftership = peers.sources["aftership"]
    service = await bootstrap(settings, sources=[aftership], pool=pg_pool, clock=SettableClock())
    service.owns_pool = False
    await service.start()
    raw = make_consumer(kafka_settings, f"raw-{uuid.uuid4().hex[:6]}", raw_topic)
    await raw.start()
    transport = httpx.ASGITransport(app=service.api)
    auth = {"Authorization": f"Bearer {KEY}"}
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://tracker") as api:
            created = await api.post(
                "/v1/trackings", json={"tracking_number": NUMBER}, headers=auth
            )
            assert created.status_code == 201, created.text
            assert (created.json()["carrier"], created.json()["source"]) == ("usps", "aftership")
            assert await service.scheduler.round() == 1  # the registration
            assert NUMBER in peers.standins.aftership.registered

            records: list[ConsumerRecord[bytes, bytes]] = []
            while not records:  # the stand-in's push, through ingest
                batches = await raw.getmany(timeout_ms=10_000)
                records = [r for rs in batches.values() for r in rs]
            event = RawProviderEvent.model_validate_json(records[0].value or b"")
            assert event.provider == "aftership"
            [latest] = sorted(
                parser_for("aftership")(json.loads(event.body)), key=lambda c: c.occurred_at
            )[-1:]
            status = ShipmentStatusEvent(
                event_id=derived_event_id("test", str(event.event_id)), provider="aftership",
                carrier=latest.carrier, tracking_number=latest.tracking_number,
                status=latest.meaning.status, occurred_at=latest.occurred_at,
                received_at=event.received_at, raw_event_id=event.event_id,
            )  # fmt: skip
            producer = make_producer(kafka_settings)
            await producer.start()
            try:
                await producer.send_and_wait(
                    settings.status_topic,
                    status.model_dump_json().encode(),
                    key=status.key.encode(),
                )
            finally:
                await producer.stop()

            shown = None
            for _ in range(200):
                page = (await api.get("/v1/trackings", headers=auth)).json()["trackings"]
                shown = page[0]
                if shown["last_status"] is not None:
                    break
                await asyncio.sleep(0.05)
            assert shown is not None
            assert (shown["state"], shown["last_status"]) == ("active", "info_received")

            stopped = await api.delete(f"/v1/trackings/usps/{NUMBER}", headers=auth)
            assert stopped.status_code == 204
            assert NUMBER not in peers.standins.aftership.registered
    finally:
        await raw.stop()
        await service.stop()
