"""Order intake as composed in production, against the real broker (`make up`)."""

from __future__ import annotations

import json
import pathlib
import time
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
from aiokafka import ConsumerRecord
from fastapi import FastAPI

from suivi_infra.kafka import make_consumer
from suivi_infra.settings import KafkaSettings
from suivi_infra.testing import TopicFactory
from suivi_ingest.bootstrap import build_app
from suivi_ingest.settings import IngestSettings
from suivi_ingest.testing.signers import bearer, shopify_headers
from suivi_schemas.orders import OrderEvent

FIXTURES = pathlib.Path(__file__).parent.parent / "fixtures" / "shopify"
SHOP = "atelier-comtois.myshopify.com"
SECRET = "shpss_integration"


def _settings(kafka: KafkaSettings, topic: str, **extra: object) -> IngestSettings:
    return IngestSettings.model_validate(
        {
            "kafka": kafka,
            "orders_topic": topic,
            "merchant_keys": "shop-a:key-a,shop-b:key-b",
            "shopify_secret": SECRET,
            "shopify_shops": f"{SHOP}:shop-a",
            "metrics_port": 0,  # no fixed port in tests
            **extra,
        }
    )


@asynccontextmanager
async def _running(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://ingest") as client:
            yield client


async def _consume(kafka: KafkaSettings, topic: str, count: int) -> list[ConsumerRecord]:
    consumer = make_consumer(kafka, f"ingest-orders-test-{uuid.uuid4().hex[:8]}", topic)
    await consumer.start()
    records: list[ConsumerRecord] = []
    try:
        deadline = time.monotonic() + 20
        while len(records) < count and time.monotonic() < deadline:
            for batch in (await consumer.getmany(timeout_ms=500)).values():
                records.extend(batch)
    finally:
        await consumer.stop()
    return records


async def test_posted_order_lands_on_the_topic_keyed_by_merchant_and_order(
    kafka_settings: KafkaSettings, kafka_topic: TopicFactory
) -> None:
    topic = await kafka_topic("orders", partitions=6)
    order = {
        "order_number": "A-1001",
        "placed_at": "2026-11-02T09:14:03+01:00",
        "updated_at": "2026-11-02T10:30:00+01:00",
        "customer": {"email": "zoe@example.fr", "name": "Zoë Lefèvre", "timezone": "Europe/Paris"},
        "line_items": [{"line_item_id": "L1", "title": "Carnet ☕ 北京", "quantity": 1}],
        "shipments": [{"carrier": "UPS", "tracking_number": "1z 999 aa1 0123 4567 84"}],
    }
    body = json.dumps(order, ensure_ascii=False).encode()
    async with _running(build_app(_settings(kafka_settings, topic))) as client:
        first = await client.post("/v1/orders", content=body, headers=bearer("key-a"))
        retry = await client.post("/v1/orders", content=body, headers=bearer("key-a"))
        other = await client.post("/v1/orders", content=body, headers=bearer("key-b"))
    assert [r.status_code for r in (first, retry, other)] == [202, 202, 202]

    records = await _consume(kafka_settings, topic, 3)
    assert [r.key for r in records if r.key == b"shop-a:A-1001"] == [b"shop-a:A-1001"] * 2
    assert {r.key for r in records} == {b"shop-a:A-1001", b"shop-b:A-1001"}
    ours = [r for r in records if r.key == b"shop-a:A-1001"]
    assert len({r.partition for r in ours}) == 1
    events = [OrderEvent.model_validate_json(r.value) for r in ours]  # today's contract reads it
    assert {str(e.event_id) for e in events} == {first.json()["event_id"]}  # the retry: same id
    event = events[0]
    assert (event.merchant_id, event.customer.name) == ("shop-a", "Zoë Lefèvre")
    assert event.line_items[0].title == "Carnet ☕ 北京"
    assert event.shipments[0].key == "ups:1Z999AA10123456784"
    assert json.loads(ours[0].value)["kind"] == "snapshot"


async def test_shopify_order_and_fulfilment_share_the_orders_key(
    kafka_settings: KafkaSettings, kafka_topic: TopicFactory
) -> None:
    topic = await kafka_topic("orders", partitions=6)
    deliveries = [
        ("fulfillments/create", "fulfillments_create"),  # before its order: still fine
        ("orders/create", "orders_create"),
    ]
    async with _running(build_app(_settings(kafka_settings, topic))) as client:
        for n, (shopify_topic, name) in enumerate(deliveries):
            body = (FIXTURES / f"{name}.json").read_bytes()
            headers = shopify_headers(
                body, SECRET, topic=shopify_topic, shop=SHOP, webhook_id=f"wh-{n}"
            )
            response = await client.post("/v1/webhooks/shopify", content=body, headers=headers)
            assert response.status_code == 202, response.text

    records = await _consume(kafka_settings, topic, 2)
    assert [r.key for r in records] == [b"shop-a:#1001"] * 2
    assert len({r.partition for r in records}) == 1
    events = [OrderEvent.model_validate_json(r.value) for r in records]
    assert [(e.kind, e.delivery_id) for e in events] == [
        ("fulfillment", "wh-0"),
        ("snapshot", "wh-1"),
    ]


async def test_kafka_unreachable_answers_503() -> None:
    closed = KafkaSettings(bootstrap_servers=["127.0.0.1:1"], request_timeout_ms=1000)
    settings = _settings(closed, "commerce.orders.v1", publish_timeout_seconds=1.0)
    body = b'{"order_number": "1", "placed_at": "2026-11-02T09:00:00Z"}'
    async with _running(build_app(settings)) as client:
        response = await client.post("/v1/orders", content=body, headers=bearer("key-a"))
    assert response.status_code == 503
    assert response.headers["retry-after"] == "30"
    assert response.json()["error"] == "kafka_unavailable"
