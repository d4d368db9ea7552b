"""A parcel that changes hands, through PostgreSQL (issue 17): a Cainiao → La Poste parcel ends
with the same read model and page whether the link arrives after both legs' first events or
before any of them, applied twice or once."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

import asyncpg

from suivi_projections.domain.orders import OrderStatus
from suivi_projections.query.analytics import merchant_analytics
from suivi_projections.query.parcels import ParcelReadModel, ParcelView
from suivi_projections.query.views import OrderView
from suivi_projections.testing.samples import T0, order_event, status_event
from suivi_projections.web.pages.build import public_order
from suivi_projections.web.pages.content import PublicOrder
from suivi_projections.web.pages.i18n import Translator
from suivi_projections.write.batch import apply_batch
from suivi_projections.write.legs import apply_links
from suivi_schemas import OrderEvent, ShipmentStatus, ShipmentStatusEvent, Substatus
from suivi_schemas.legs import LegLinkEvent, LinkSource

S = ShipmentStatus
DAY = timedelta(days=1)
CAINIAO, LAPOSTE = ("cainiao", "LP00598765432101"), ("laposte", "6A18987654321")
ORDER = order_event("acme", "1001", shipments=[(*CAINIAO, [("li-1", 1)])])
LINK = LegLinkEvent.of(
    CAINIAO, LAPOSTE, source=LinkSource.LAST_MILE, provider="aftership", linked_at=T0 + 5 * DAY
)
FIRST_C = status_event(*CAINIAO, T0, S.INFO_RECEIVED, country="CN")
REST_C = [
    status_event(*CAINIAO, T0 + DAY, S.IN_TRANSIT, city="Shenzhen", country="CN"),
    status_event(
        *CAINIAO, T0 + 4 * DAY, S.IN_TRANSIT, substatus=Substatus.CUSTOMS_PROCESSING, country="FR"
    ),
    # Cainiao's own late echo of the hand-off, after La Poste took over: never the status.
    status_event(*CAINIAO, T0 + 7.5 * DAY, S.IN_TRANSIT, country="FR", message="Handed over"),
]
FIRST_L = status_event(*LAPOSTE, T0 + 6 * DAY, S.IN_TRANSIT, city="Roissy", country="FR")
REST_L = [status_event(*LAPOSTE, T0 + 7 * DAY, S.OUT_FOR_DELIVERY, city="Paris", country="FR")]

Batch = Sequence[ShipmentStatusEvent | OrderEvent | LegLinkEvent]


async def _apply(pool: asyncpg.Pool, batches: Sequence[Batch]) -> None:
    for batch in batches:
        async with pool.acquire() as conn, conn.transaction():
            await apply_batch(
                conn,
                [e for e in batch if isinstance(e, ShipmentStatusEvent)],
                [e for e in batch if isinstance(e, OrderEvent)],
            )
            await apply_links(conn, [e for e in batch if isinstance(e, LegLinkEvent)])


async def _story(pool: asyncpg.Pool) -> tuple[OrderView, PublicOrder]:
    view = await ParcelReadModel(pool).order_by_number("acme", "1001")
    assert view is not None
    return view, public_order(view, Translator("en"), shared=False)


async def _wipe(pool: asyncpg.Pool) -> None:
    tables = await pool.fetch(
        "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() "
        "AND tablename <> 'schema_migrations'"
    )
    await pool.execute("TRUNCATE " + ", ".join(r[0] for r in tables) + " CASCADE")


async def test_link_after_both_legs_or_first_ends_in_the_same_story(pool: asyncpg.Pool) -> None:
    await _apply(pool, [[ORDER], [FIRST_C, FIRST_L], [LINK], [*REST_C, *REST_L], [LINK]])
    late_view, late_page = await _story(pool)
    await _wipe(pool)
    await _apply(pool, [[LINK], [ORDER], [*REST_L], [FIRST_L, *REST_C], [FIRST_C]])
    first_view, first_page = await _story(pool)
    assert late_view == first_view and late_page == first_page

    (parcel,) = first_view.shipments
    assert isinstance(parcel, ParcelView)
    # La Poste has it out for delivery; Cainiao's later echo does not send it back in transit.
    assert parcel.status is S.OUT_FOR_DELIVERY
    assert first_view.status is OrderStatus.OUT_FOR_DELIVERY  # the order says so too
    assert [(leg.carrier, leg.position, leg.started) for leg in parcel.legs] == [
        ("cainiao", 0, True), ("laposte", 1, True),
    ]  # fmt: skip
    assert [getattr(e, "carrier", None) for e in parcel.timeline] == [
        "cainiao", "laposte", "laposte", "cainiao", "cainiao", "cainiao",
    ]  # fmt: skip
    (handoff,) = first_page.parcels[0].handoffs
    assert handoff.text == "Handed over to La Poste, new tracking number 6A18987654321"
    assert handoff.url == "https://www.laposte.fr/outils/suivre-vos-envois?code=6A18987654321"
    shared = public_order(first_view, Translator("fr"), shared=True)
    assert shared.parcels[0].handoffs[0].url is None
    assert "6A18987654321" not in repr(shared)  # masked on the shareable page


async def test_the_merchant_reads_and_counts_the_parcel_once(pool: asyncpg.Pool) -> None:
    delivered = status_event(*LAPOSTE, T0 + 8 * DAY, S.DELIVERED, city="Paris", country="FR")
    await _apply(pool, [[ORDER, LINK, FIRST_C, FIRST_L, *REST_L]])
    read = ParcelReadModel(pool)
    page = await read.orders("acme", None, None, 10)
    assert [o.shipments for o in page.orders] == [1]
    shipment = await read.shipment_for_merchant("acme", *CAINIAO)
    assert shipment is not None and shipment.status is S.OUT_FOR_DELIVERY
    assert await read.shipment_for_merchant("acme", *LAPOSTE) is None  # not one of its parcels
    await _apply(pool, [[delivered]])
    figures = await merchant_analytics(pool, "acme", T0.date(), (T0 + 30 * DAY).date())
    # Delivered by La Poste, the parcel Cainiao carried first: one delivery, Cainiao's parcel.
    assert figures.deliveries.deliveries == 1
    assert [(c.carrier, c.deliveries) for c in figures.by_carrier] == [("cainiao", 1)]
