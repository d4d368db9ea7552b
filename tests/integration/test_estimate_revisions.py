"""Issue 21, item 1, across services on the real broker and PostgreSQL: a carrier date revised
without a new scan goes raw → normalizer → tracking.status.v1 → projections and reaches the
read model (current, original, one revision, not in the timeline); the revision replayed on
the status topic adds nothing."""

from __future__ import annotations

import asyncio
import json
import uuid
from datetime import UTC, date, datetime

import asyncpg
import pytest

from suivi_infra.kafka import make_consumer, make_producer
from suivi_infra.settings import KafkaSettings, PostgresSettings
from suivi_infra.testing import TopicFactory, eventually
from suivi_normalizer.bootstrap import bootstrap as normalizer_bootstrap
from suivi_normalizer.settings import NormalizerSettings
from suivi_normalizer.testing.envelope import envelope_for
from suivi_projections.bootstrap import bootstrap as projections_bootstrap
from suivi_projections.query.readmodel import PostgresReadModel
from suivi_projections.testing.kafka import on_fresh_topics
from suivi_projections.testing.samples import order_event

pytestmark = pytest.mark.integration

NUMBER = "JD0002100"


def webhook(earliest: str, latest: str) -> str:
    events = [
        {"status": "in_transit", "occurred_at": "2026-03-02T09:00:00+01:00", "code": "PU"},
        {"status": "in_transit", "occurred_at": "2026-03-03T07:00:00+01:00", "code": "HUB"},
    ]
    return json.dumps(
        {
            "carrier": "dhl",
            "tracking_number": NUMBER,
            "estimated_delivery": {"earliest": earliest, "latest": latest},
            "events": events,
        }
    )


async def test_a_revised_date_reaches_the_read_model_once(
    kafka_settings: KafkaSettings,
    kafka_topic: TopicFactory,
    postgres_settings: PostgresSettings,
    pg_pool: asyncpg.Pool,
    pg_schema: str,
) -> None:
    raw_topic = await kafka_topic("raw", partitions=1)
    status_topic = await kafka_topic("status", partitions=1)
    orders_topic = await kafka_topic("orders", partitions=1)
    normalizer = normalizer_bootstrap(
        NormalizerSettings(
            kafka=kafka_settings, raw_topic=raw_topic, status_topic=status_topic,
            dlq_topic=await kafka_topic("rawdlq", partitions=1), legs_topic="",
            group_id=f"n-{uuid.uuid4().hex[:8]}", metrics_port=0, retry_backoff_seconds=0.1,
        ),
        serve_metrics=False,
    )  # fmt: skip
    projections = projections_bootstrap(
        await on_fresh_topics(
            kafka_topic, kafka_settings, postgres_settings, status_topic=status_topic,
            orders_topic=orders_topic, monitor_enabled=False,
        ),
        serve_metrics=False,
        server_settings={"search_path": pg_schema},
    )  # fmt: skip
    model = PostgresReadModel(pg_pool)
    placed = order_event("acme", "2101", shipments=[("dhl", NUMBER, [("li-1", 1)])])
    received = datetime(2026, 3, 3, 8, tzinfo=UTC)
    producer = make_producer(kafka_settings)
    reader = make_consumer(kafka_settings, f"r-{uuid.uuid4().hex[:6]}", status_topic)
    await producer.start()
    await reader.start()

    async def estimate() -> tuple[date | None, date | None, int]:
        view = await model.order_by_number("acme", "2101")
        if view is None or not view.shipments:
            return None, None, 0
        shipment = view.shipments[0]
        story = shipment.estimate_story
        current = shipment.estimated_delivery.latest if shipment.estimated_delivery else None
        original = story.original.latest if story and story.original else None
        return current, original, story.revisions if story else 0

    async def becomes(want: tuple[date | None, date | None, int]) -> bool:
        return await estimate() == want

    try:
        async with normalizer.app, projections.app:
            await producer.send_and_wait(orders_topic, placed.model_dump_json().encode())
            bodies = (webhook("2026-03-05", "2026-03-05"), webhook("2026-03-06", "2026-03-07"))
            for body in bodies:
                raw = envelope_for("suivi", body, received)
                await producer.send_and_wait(raw_topic, raw.model_dump_json().encode(), key=b"k")
            assert await eventually(lambda: becomes((date(2026, 3, 7), date(2026, 3, 5), 1))), (
                await estimate()
            )
            # The revision as published, replayed on the status topic: no second revision.
            published: list[bytes] = []
            deadline = asyncio.get_running_loop().time() + 30
            while len(published) < 3 and asyncio.get_running_loop().time() < deadline:
                for records in (await reader.getmany(timeout_ms=500)).values():
                    published.extend(r.value for r in records if r.value)
            revisions = [v for v in published if b'"revision_of"' in v]
            assert len(published) == 3 and len(revisions) == 1
            await producer.send_and_wait(status_topic, revisions[0], key=f"dhl:{NUMBER}".encode())
            await producer.send_and_wait(status_topic, published[0], key=f"dhl:{NUMBER}".encode())
            marker = placed.model_copy(update={"event_id": uuid.uuid4()})
            await producer.send_and_wait(orders_topic, marker.model_dump_json().encode())

            async def caught_up() -> bool:
                applied = projections.registry.get_sample_value(
                    "suivi_projections_batch_size_records_sum"
                )
                return applied is not None and applied >= 7

            assert await eventually(caught_up)
            assert await estimate() == (date(2026, 3, 7), date(2026, 3, 5), 1)
    finally:
        await reader.stop()
        await producer.stop()
    view = await model.order_by_number("acme", "2101")
    assert view is not None and len(view.shipments[0].timeline) == 2  # no revision in it
