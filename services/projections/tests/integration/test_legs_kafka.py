"""A parcel that changes hands, through the real broker and PostgreSQL (issue 17): the projector
follows tracking.legs.v1 beside the status and order topics; a Cainiao → La Poste parcel whose
link arrives after both legs' first events, and one whose link arrives first, end with the
same story and page."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

import asyncpg
import pytest
from pydantic import BaseModel

from suivi_infra.kafka import make_producer
from suivi_infra.settings import KafkaSettings, PostgresSettings
from suivi_infra.testing import TopicFactory, eventually
from suivi_projections.bootstrap import bootstrap
from suivi_projections.query.parcels import ParcelReadModel, ParcelView
from suivi_projections.testing.kafka import on_fresh_topics
from suivi_projections.testing.samples import T0, order_event, status_event
from suivi_projections.web.pages.build import public_order
from suivi_projections.web.pages.i18n import Translator
from suivi_schemas import ShipmentStatus
from suivi_schemas.legs import LegLinkEvent, LinkSource

S = ShipmentStatus
DAY = timedelta(days=1)
CAINIAO, LAPOSTE = ("cainiao", "LP00598765432101"), ("laposte", "6A18987654321")


@pytest.mark.parametrize("link_first", [False, True], ids=["link-last", "link-first"])
async def test_a_hand_off_through_the_broker(
    link_first: bool,
    kafka_settings: KafkaSettings,
    kafka_topic: TopicFactory,
    postgres_settings: PostgresSettings,
    pg_pool: asyncpg.Pool,
    pg_schema: str,
) -> None:
    settings = await on_fresh_topics(kafka_topic, kafka_settings, postgres_settings)
    topics = {"status": settings.status_topic, "orders": settings.orders_topic,
              "legs": settings.legs_topic}  # fmt: skip
    order = order_event("acme", "1001", shipments=[(*CAINIAO, [("li-1", 1)])])
    firsts = [
        status_event(*CAINIAO, T0, S.IN_TRANSIT, city="Shenzhen", country="CN"),
        status_event(*LAPOSTE, T0 + 6 * DAY, S.IN_TRANSIT, city="Roissy", country="FR"),
    ]
    rest = [
        status_event(*LAPOSTE, T0 + 7 * DAY, S.OUT_FOR_DELIVERY, city="Paris", country="FR"),
        status_event(*CAINIAO, T0 + 7.5 * DAY, S.IN_TRANSIT, country="FR"),  # a late echo
    ]
    link = LegLinkEvent.of(CAINIAO, LAPOSTE, source=LinkSource.LAST_MILE, provider="aftership",
                           linked_at=T0 + 6 * DAY)  # fmt: skip
    read = ParcelReadModel(pg_pool)
    producer = make_producer(kafka_settings)
    service = bootstrap(settings, serve_metrics=False, server_settings={"search_path": pg_schema})

    async def send(topic: str, events: Sequence[BaseModel]) -> None:
        for e in events:
            key = getattr(e, "key").encode()  # noqa: B009 - every contract has its key
            await producer.send_and_wait(topics[topic], e.model_dump_json().encode(), key=key)

    async def linked() -> bool:
        return bool(await pg_pool.fetchval("SELECT count(*) FROM leg_links"))

    async def counted(n: int) -> bool:
        return bool(await pg_pool.fetchval("SELECT count(*) FROM shipment_events") == n)

    await producer.start()
    try:
        async with service.app:
            await send("orders", [order])
            if link_first:
                await send("legs", [link])
                assert await eventually(linked)
            await send("status", firsts)
            assert await eventually(lambda: counted(2))
            if not link_first:
                await send("legs", [link, link])
                assert await eventually(linked)
            await send("status", rest)
            assert await eventually(lambda: counted(4))
    finally:
        await producer.stop()
    view = await read.order_by_number("acme", "1001")
    assert view is not None
    (parcel,) = view.shipments
    assert isinstance(parcel, ParcelView) and parcel.status is S.OUT_FOR_DELIVERY
    assert [getattr(e, "carrier", None) for e in parcel.timeline] == [
        "cainiao", "laposte", "laposte", "cainiao",
    ]  # fmt: skip
    page = public_order(view, Translator("en"), shared=False)
    (handoff,) = page.parcels[0].handoffs
    assert handoff.text == "Handed over to La Poste, new tracking number 6A18987654321"
