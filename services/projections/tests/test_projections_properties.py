"""Properties: any permutation and duplication of events and order snapshots, cut into any
batches, ends in the same read model, in memory and in PostgreSQL."""

from __future__ import annotations

import random
import uuid
from datetime import timedelta

import asyncpg
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from suivi_projections.db.migrate import migrate
from suivi_projections.domain.shipments import Checkpoint, extend, reduce_shipment
from suivi_projections.testing.reference import Projection
from suivi_projections.testing.samples import T0, order_event, status_event
from suivi_projections.testing.snapshot import read_state
from suivi_projections.write.batch import apply_batch
from suivi_schemas import OrderEvent, ShipmentStatus, ShipmentStatusEvent

Item = ShipmentStatusEvent | OrderEvent
KEYS = (("ups", "1Z999AA1"), ("ups", "1Z999AA2"), ("dhl", "JD0001"))
# Days chosen to exercise both sides of the 90-day reuse gap, and same-instant ties.
DAYS = (0, 0, 1, 2, 3, 50, 95, 100, 200, 201, 400)


@st.composite
def status_events(draw: st.DrawFn) -> list[ShipmentStatusEvent]:
    events = []
    for index in range(draw(st.integers(1, 16))):
        carrier, number = draw(st.sampled_from(KEYS))
        at = T0 + timedelta(days=draw(st.sampled_from(DAYS)), hours=draw(st.sampled_from((0, 5))))
        status = draw(st.sampled_from(ShipmentStatus))
        eta = draw(st.none() | st.just((at + timedelta(days=3)).date()))
        action = draw(st.booleans()) if status is ShipmentStatus.EXCEPTION else False
        code = f"c{index}"  # distinct checkpoints: same id would mean same content
        events.append(
            status_event(carrier, number, at, status, code=code, eta=eta, action_required=action)
        )
    return events


@st.composite
def order_events(draw: st.DrawFn) -> list[OrderEvent]:
    """Snapshots, and fulfilment events (Shopify) of the same orders."""
    events = []
    for _ in range(draw(st.integers(1, 5))):
        parcels = draw(st.lists(st.sampled_from(KEYS[:2]), max_size=2, unique=True))
        specs = [(c, n, [(draw(st.sampled_from(("li-1", "li-2"))), 1)]) for c, n in parcels]
        cancelled = [n for _, n, _ in specs if draw(st.booleans()) and draw(st.booleans())]
        shipped = draw(st.none() | st.sampled_from(DAYS).map(lambda d: T0 + timedelta(days=d)))
        fulfilment = draw(st.none() | st.sampled_from(("f1", "f2")))
        by_parcel = {n: draw(st.sampled_from(("f1", "f2"))) for _, n, _ in specs}
        events.append(
            order_event(
                "acme",
                draw(st.sampled_from(("1001", "1002"))),
                placed_at=T0 + timedelta(days=draw(st.sampled_from(DAYS))),
                updated_at=T0 + timedelta(hours=draw(st.integers(0, 3))),
                shipments=specs,
                line_items=(("li-1", "Mug", 1), ("li-2", "Plate", 1)),
                cancelled_shipments=cancelled,
                cancelled=draw(st.booleans()) and draw(st.booleans()),
                shipped_at=shipped,
                event_id=draw(st.uuids()),
                fulfillment_id=fulfilment,
                parcel_fulfillments=by_parcel if draw(st.booleans()) else None,
            )
        )
    return events


def arrival(items: list[Item], rng: random.Random) -> list[Item]:
    """Every item at least once, some several times, in any order."""
    stream = items + [rng.choice(items) for _ in range(rng.randint(0, len(items)))] if items else []
    rng.shuffle(stream)
    return stream


def batches(stream: list[Item], rng: random.Random) -> list[list[Item]]:
    cuts = sorted(rng.sample(range(1, len(stream)), min(6, max(len(stream) - 1, 0))))
    return [stream[a:b] for a, b in zip([0, *cuts], [*cuts, len(stream)], strict=True)]


def in_memory(stream: list[Item]) -> Projection:
    projection = Projection()
    for item in stream:
        projection.apply(item)
    return projection


@settings(max_examples=300, deadline=None)
@given(events=status_events(), orders=order_events(), seed=st.integers(0, 2**32))
def test_pure_projection_ignores_arrival_order_and_duplicates(
    events: list[ShipmentStatusEvent], orders: list[OrderEvent], seed: int
) -> None:
    items: list[Item] = [*events, *orders]
    reference = in_memory(items).state()
    assert in_memory(arrival(items, random.Random(seed))).state() == reference
    # The status is the latest event's; every link points at an existing generation.
    for (carrier, number, generation), shipment in reference.shipments.items():
        timeline = reference.timelines[(carrier, number, generation)]
        assert shipment.event_count == len(timeline)
        assert shipment.last_event_id == (timeline[-1] if timeline else None)
    for order in reference.orders.values():
        assert all(link in reference.shipments for link, _, _ in order.links)


@settings(max_examples=300, deadline=None)
@given(events=status_events(), cut=st.integers(0, 16))
def test_extending_the_newest_generation_equals_reducing_everything(
    events: list[ShipmentStatusEvent], cut: int
) -> None:
    ordered = sorted(
        (Checkpoint.of(e) for e in events if e.tracking_number == events[0].tracking_number),
        key=lambda c: (c.occurred_at, c.event_id),
    )
    head, tail = ordered[:cut], ordered[cut:]
    everything, _ = reduce_shipment(ordered, [])
    before, _ = reduce_shipment(head, [])
    if not before:
        return
    assert (*before[:-1], *extend(before[-1], tail)) == everything


@pytest.fixture
async def pool(pg_pool: asyncpg.Pool) -> asyncpg.Pool:
    async with pg_pool.acquire() as conn:
        await migrate(conn)
    return pg_pool


@pytest.mark.integration
@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(events=status_events(), orders=order_events(), seed=st.integers(0, 2**32))
async def test_postgres_path_matches_the_pure_projection_in_any_order(
    pool: asyncpg.Pool, events: list[ShipmentStatusEvent], orders: list[OrderEvent], seed: int
) -> None:
    items: list[Item] = [*events, *orders]
    rng = random.Random(seed)
    async with pool.acquire() as conn:
        await conn.execute(
            "TRUNCATE processed_events, shipment_events, shipments, order_shipments, orders, "
            "order_fulfillments"
        )
        for batch in batches(arrival(items, rng), rng):
            async with conn.transaction():
                await apply_batch(
                    conn,
                    [e for e in batch if isinstance(e, ShipmentStatusEvent)],
                    [e for e in batch if isinstance(e, OrderEvent)],
                )
        state = await read_state(conn)
        assert state == in_memory(items).state()
        async with conn.transaction():  # everything again, as one batch: nothing changes
            again = await apply_batch(conn, events, orders)
        assert again.notified == [] and await read_state(conn) == state


def test_ids_are_distinct_per_checkpoint() -> None:
    a = status_event("ups", "1Z1", T0, ShipmentStatus.IN_TRANSIT, code="a")
    b = status_event("ups", "1Z1", T0, ShipmentStatus.IN_TRANSIT, code="b")
    assert a.event_id != b.event_id and isinstance(a.event_id, uuid.UUID)
