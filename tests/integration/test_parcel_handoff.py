"""Issue 17 across services on the real broker and PostgreSQL: an AfterShip webhook whose
tracking names its last-mile carrier (Cainiao → La Poste, `last_mile`) goes raw → normalizer →
tracking.status.v1 and tracking.legs.v1 → projections, and La Poste's own events join the same
parcel: one order, one parcel, La Poste's status, every leg's checkpoints with their carrier."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from pathlib import Path

import asyncpg
import pytest

from suivi_infra.kafka import make_producer
from suivi_infra.settings import KafkaSettings, PostgresSettings
from suivi_infra.testing import TopicFactory, eventually
from suivi_normalizer.bootstrap import bootstrap as normalizer_bootstrap
from suivi_normalizer.settings import NormalizerSettings
from suivi_normalizer.testing.envelope import envelope_for
from suivi_projections.bootstrap import bootstrap as projections_bootstrap
from suivi_projections.query.parcels import ParcelReadModel, ParcelView
from suivi_projections.testing.kafka import on_fresh_topics
from suivi_projections.testing.samples import order_event
from suivi_schemas import ShipmentStatus

pytestmark = pytest.mark.integration
FIXTURE = (
    Path(__file__).parents[2]
    / "services/normalizer/tests/fixtures/aftership/cainiao_last_mile_laposte.json"
)
CAINIAO, LAPOSTE = ("cainiao", "LP00712345678901"), ("laposte", "6A18987654321")


def laposte_webhook() -> str:
    events = [{"status": "out_for_delivery", "occurred_at": "2026-05-14T08:05:00+02:00",
               "code": "MD2", "location": {"city": "Paris", "country": "FR"}}]  # fmt: skip
    return json.dumps({"carrier": "laposte", "tracking_number": LAPOSTE[1], "events": events})


async def test_a_last_mile_hand_off_from_webhook_to_read_model(
    kafka_settings: KafkaSettings,
    kafka_topic: TopicFactory,
    postgres_settings: PostgresSettings,
    pg_pool: asyncpg.Pool,
    pg_schema: str,
) -> None:
    raw, status, legs, orders = [
        await kafka_topic(n, partitions=1) for n in ("raw", "status", "legs", "orders")
    ]
    normalizer = normalizer_bootstrap(
        NormalizerSettings(
            kafka=kafka_settings, raw_topic=raw, status_topic=status, legs_topic=legs,
            dlq_topic=await kafka_topic("rawdlq", partitions=1),
            group_id=f"n-{uuid.uuid4().hex[:8]}", metrics_port=0, retry_backoff_seconds=0.1,
        ),
        serve_metrics=False,
    )  # fmt: skip
    projections = projections_bootstrap(
        await on_fresh_topics(
            kafka_topic, kafka_settings, postgres_settings, status_topic=status,
            orders_topic=orders, legs_topic=legs, monitor_enabled=False,
        ),
        serve_metrics=False,
        server_settings={"search_path": pg_schema},
    )  # fmt: skip
    read = ParcelReadModel(pg_pool)
    placed = order_event("acme", "1701", shipments=[(*CAINIAO, [("li-1", 1)])])
    received = datetime(2026, 5, 14, 9, tzinfo=UTC)
    producer = make_producer(kafka_settings)

    async def handed_over() -> bool:
        view = await read.order_by_number("acme", "1701")
        if view is None or not view.shipments:
            return False
        parcel = view.shipments[0]
        return isinstance(parcel, ParcelView) and parcel.status is ShipmentStatus.OUT_FOR_DELIVERY

    await producer.start()
    try:
        async with normalizer.app, projections.app:
            await producer.send_and_wait(orders, placed.model_dump_json().encode(), key=b"k")
            for provider, body in (
                ("aftership", FIXTURE.read_text(encoding="utf-8")), ("suivi", laposte_webhook()),
            ):  # fmt: skip
                event = envelope_for(provider, body, received)
                await producer.send_and_wait(raw, event.model_dump_json().encode(), key=b"k")
            assert await eventually(handed_over, 60)
    finally:
        await producer.stop()
    view = await read.order_by_number("acme", "1701")
    assert view is not None and len(view.shipments) == 1
    parcel = view.shipments[0]
    assert isinstance(parcel, ParcelView)
    assert [(leg.carrier, leg.tracking_number, leg.position) for leg in parcel.legs] == [
        (*CAINIAO, 0), (*LAPOSTE, 1),
    ]  # fmt: skip
    carriers = [getattr(e, "carrier", None) for e in parcel.timeline]
    assert carriers[0] == "laposte" and set(carriers) == {"cainiao", "laposte"}
