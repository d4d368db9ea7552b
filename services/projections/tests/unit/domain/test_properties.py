"""Properties: any permutation and duplication of events and order snapshots, cut into any
batches, ends in the same read model in memory (against PostgreSQL: integration/write)."""

from __future__ import annotations

import random
import uuid

from hypothesis import given, settings
from hypothesis import strategies as st

from suivi_projections.domain.shipments import Checkpoint, extend, reduce_shipment
from suivi_projections.testing.samples import T0, status_event
from suivi_projections.testing.streams import (
    Item,
    arrival,
    in_memory,
    order_events,
    status_events,
)
from suivi_schemas import OrderEvent, ShipmentStatus, ShipmentStatusEvent


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


def test_ids_are_distinct_per_checkpoint() -> None:
    a = status_event("ups", "1Z1", T0, ShipmentStatus.IN_TRANSIT, code="a")
    b = status_event("ups", "1Z1", T0, ShipmentStatus.IN_TRANSIT, code="b")
    assert a.event_id != b.event_id and isinstance(a.event_id, uuid.UUID)
