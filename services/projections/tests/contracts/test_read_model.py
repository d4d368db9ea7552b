"""The ReadModel port: one contract, run against PostgresReadModel and the FakeReadModel that
the API's unit tests use (given the views PostgreSQL derived from the same events, so this
checks the fake's queries, not the projection: integration/write checks that)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

import asyncpg
import pytest

from suivi_projections.domain.orders import OrderStatus
from suivi_projections.query.readmodel import PostgresReadModel
from suivi_projections.query.views import ReadModel
from suivi_projections.testing.fakes import FakeReadModel
from suivi_projections.testing.samples import T0, order_event, status_event
from suivi_projections.write.batch import apply_batch
from suivi_schemas import EstimateSource, OrderEvent, ShipmentStatus, ShipmentStatusEvent

S = ShipmentStatus
DAY = timedelta(days=1)


async def apply(
    pool: asyncpg.Pool,
    statuses: Sequence[ShipmentStatusEvent] = (),
    orders: Sequence[OrderEvent] = (),
) -> None:
    async with pool.acquire() as conn, conn.transaction():
        await apply_batch(conn, statuses, orders)


@dataclass
class Seeded:
    """A read model given some events, and the status tokens of its orders."""

    model: ReadModel
    tokens: dict[tuple[str, str], str] = field(default_factory=dict)


Given = Callable[[Sequence[ShipmentStatusEvent], Sequence[OrderEvent]], Awaitable[Seeded]]


async def _tokens(pool: asyncpg.Pool) -> dict[tuple[str, str], str]:
    rows = await pool.fetch("SELECT merchant_id, order_number, status_token FROM orders")
    return {(r[0], r[1]): r[2] for r in rows}


ORDER = order_event(
    "acme",
    "1001",
    shipments=[("ups", "1Z999AA1", [("li-1", 1)]), ("colissimo", "6A123", [("li-2", 2)])],
    line_items=(("li-1", "Blue mug", 1), ("li-2", "Plate", 2)),
)
DELIVERED = [
    status_event("ups", "1Z999AA1", T0, S.INFO_RECEIVED, eta=date(2025, 3, 6)),
    status_event("ups", "1Z999AA1", T0 + DAY, S.IN_TRANSIT, city="Lyon", country="FR"),
    status_event("ups", "1Z999AA1", T0 + 2 * DAY, S.DELIVERED, city="Paris", message="Signed"),
]
MOVING = [status_event("colissimo", "6A123", T0 + DAY, S.IN_TRANSIT, eta=date(2025, 3, 9))]


class ReadModelContract:
    """What every `ReadModel` answers; a subclass gives `given` (events → a seeded model)."""

    async def test_an_order_with_its_shipments_items_and_timelines(self, given: Given) -> None:
        seeded = await given([*reversed(DELIVERED), *MOVING], [ORDER])
        model: ReadModel = seeded.model
        token = seeded.tokens[("acme", "1001")]
        view = await model.order_by_status_token(token)
        assert view is not None
        assert view == await model.order_by_share_token(view.share_token)
        assert view == await model.order_by_number("acme", "1001")
        assert view.status is OrderStatus.PARTIALLY_DELIVERED
        assert (view.locale, view.timezone, view.customer_phone) == (
            "fr-FR",
            "Europe/Paris",
            "+33612345678",
        )
        assert view.shipping_address is not None and view.shipping_address["city"] == "Paris"
        assert [(i.line_item_id, i.title, i.quantity) for i in view.line_items] == [
            ("li-1", "Blue mug", 1),
            ("li-2", "Plate", 2),
        ]
        ups, colissimo = view.shipments
        assert (ups.carrier, ups.tracking_number, ups.state) == ("ups", "1Z999AA1", "active")
        assert ups.status is S.DELIVERED and ups.delivered_at == T0 + 2 * DAY
        assert ups.last_message == "Signed" and ups.last_location is not None
        assert ups.last_location.city == "Paris"
        assert [e.status for e in ups.timeline] == [S.DELIVERED, S.IN_TRANSIT, S.INFO_RECEIVED]
        assert ups.timeline[0].event_id == str(DELIVERED[2].event_id)
        assert ups.estimated_delivery is not None
        assert ups.estimated_delivery.latest == date(2025, 3, 6)
        assert ups.estimated_delivery.source is EstimateSource.CARRIER
        assert [(i.line_item_id, i.title, i.quantity) for i in ups.items] == [
            ("li-1", "Blue mug", 1)
        ]
        assert colissimo.status is S.IN_TRANSIT and len(colissimo.timeline) == 1
        assert [(i.title, i.quantity) for i in colissimo.items] == [("Plate", 2)]
        assert await model.order_by_status_token("nope") is None
        assert await model.order_by_share_token(token) is None

    async def test_lookup_gives_the_normalized_email_and_the_status_token(
        self, given: Given
    ) -> None:
        seeded = await given([], [ORDER, order_event("acme", "1002", email=None)])
        model = seeded.model
        token = seeded.tokens[("acme", "1001")]
        assert await model.order_for_lookup("acme", "1001") == ("shopper@example.com", token)
        assert await model.order_for_lookup("acme", "1002") is None
        assert await model.order_for_lookup("other", "1001") is None

    async def test_lookup_by_order_number_any_case_with_hash_or_by_tracking_number(
        self, given: Given
    ) -> None:
        lettered = order_event("acme", "A-77", shipments=[("ups", "1Z555BB7", [("li-1", 1)])])
        seeded = await given([], [ORDER, lettered])
        model, token = seeded.model, seeded.tokens[("acme", "A-77")]
        for typed in ("A-77", "a-77", "#a-77", " # A-77 ", "1z 555 bb7", "1Z555BB7"):
            assert await model.order_for_lookup("acme", typed) == ("shopper@example.com", token)
        assert await model.order_for_lookup("globex", "1Z555BB7") is None  # not another shop's
        assert await model.order_for_lookup("acme", "A-78") is None

    async def test_a_merchant_sees_only_its_own_parcels(self, given: Given) -> None:
        await given(DELIVERED, [ORDER])
        # A tracking number reused later for another shop's order: still not acme's.
        other = order_event("globex", "77", shipments=[("ups", "1Z999AA1", [("x", 1)])])
        reused = status_event("ups", "1Z999AA1", T0 + 200 * DAY, S.INFO_RECEIVED)
        model = (await given([reused], [other])).model
        mine = await model.shipment_for_merchant("acme", "UPS", "1z999aa1")
        assert mine is not None and mine.status is S.DELIVERED
        assert [e.status for e in mine.timeline] == [S.DELIVERED, S.IN_TRANSIT, S.INFO_RECEIVED]
        assert mine.items[0].title == "Blue mug"
        assert await model.shipment_for_merchant("initech", "ups", "1Z999AA1") is None
        assert await model.shipment_for_merchant("acme", "ups", "1Z000") is None


@pytest.mark.integration
class TestPostgresReadModel(ReadModelContract):
    @pytest.fixture
    def given(self, pool: asyncpg.Pool) -> Given:
        async def seed(
            statuses: Sequence[ShipmentStatusEvent], orders: Sequence[OrderEvent]
        ) -> Seeded:
            await apply(pool, statuses, orders)
            return Seeded(PostgresReadModel(pool), await _tokens(pool))

        return seed

    # What only PostgreSQL holds: parcels no order links, and orders arriving between pages.

    async def test_shipment_is_the_newest_generation_linked_or_not(
        self, pool: asyncpg.Pool
    ) -> None:
        model = PostgresReadModel(pool)
        await apply(pool, MOVING)
        unlinked = await model.shipment("colissimo", "6a 123")
        assert unlinked is not None and unlinked.state == "unlinked" and unlinked.items == ()
        await apply(pool, DELIVERED, [ORDER])
        reused = status_event("ups", "1Z999AA1", T0 + 200 * DAY, S.INFO_RECEIVED)
        await apply(pool, [reused])
        newest = await model.shipment("UPS", "1z999aa1")
        assert newest is not None and newest.status is S.INFO_RECEIVED
        assert newest.state == "unlinked" and [e.event_id for e in newest.timeline] == [
            str(reused.event_id)
        ]
        view = await model.order_by_number("acme", "1001")
        assert (
            view is not None and view.shipments[0].status is S.DELIVERED
        )  # the order's own parcel
        linked = await model.shipment("colissimo", "6A123")
        assert linked is not None and linked.state == "active" and linked.items[0].title == "Plate"
        assert await model.shipment("ups", "nothing") is None

    async def test_pages_are_stable_while_orders_arrive(self, pool: asyncpg.Pool) -> None:
        model = PostgresReadModel(pool)
        placed = [T0 + h * timedelta(hours=1) for h in (5, 4, 4, 4, 3, 2, 1)]
        await apply(
            pool, [], [order_event("acme", f"A{i}", placed_at=p) for i, p in enumerate(placed)]
        )
        await apply(pool, [], [order_event("other", "B1", placed_at=T0)])
        seen: list[str] = []
        page = await model.orders("acme", None, None, 3)
        seen += [o.order_number for o in page.orders]
        # Arrivals between pages, newer and older than the cursor: no repeat, no skip of the rest.
        await apply(pool, [], [order_event("acme", "N1", placed_at=T0 + 9 * DAY)])
        await apply(pool, [], [order_event("acme", "N2", placed_at=T0 + timedelta(hours=4))])
        while page.next_cursor:
            page = await model.orders("acme", None, page.next_cursor, 3)
            seen += [o.order_number for o in page.orders]
        original = [f"A{i}" for i in range(7)]
        assert len(seen) == len(set(seen)) and set(original) <= set(seen)
        assert seen[0] == "A0" and seen[-1] == "A6"
        assert "N1" not in seen
        first = await model.orders("acme", OrderStatus.CONFIRMED, None, 100)
        assert len(first.orders) == 9 and first.next_cursor is None
        assert first.orders[0].order_number == "N1" and first.orders[0].shipments == 0
        assert (await model.orders("acme", OrderStatus.DELIVERED, None, 10)).orders == ()
        with pytest.raises(ValueError, match="invalid cursor"):
            await model.orders("acme", None, "not-a-cursor", 3)


@pytest.mark.integration  # the fake is given the views PostgreSQL derives from the events
class TestFakeReadModel(ReadModelContract):
    @pytest.fixture
    def given(self, pool: asyncpg.Pool) -> Given:
        fake = FakeReadModel()

        async def seed(
            statuses: Sequence[ShipmentStatusEvent], orders: Sequence[OrderEvent]
        ) -> Seeded:
            await apply(pool, statuses, orders)
            derived = PostgresReadModel(pool)
            tokens = await _tokens(pool)
            for merchant_id, order_number in tokens:
                view = await derived.order_by_number(merchant_id, order_number)
                assert view is not None
                fake.put(view)
            return Seeded(fake, tokens)

        return seed
