"""Hypothesis strategies of event streams, and their arrival in batches (hypothesis: dev group)."""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from suivi_projections.testing.reference import Projection
from suivi_projections.testing.samples import T0, order_event, status_event
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


def any_history_in_postgres(test: Callable[..., Any]) -> Callable[..., None]:
    """A PostgreSQL property test over any history (status events, order snapshots, an arrival
    seed): 60 examples, no deadline (round trips), the function-scoped pool fixture shared."""
    examples = settings(
        max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
    )
    history = given(events=status_events(), orders=order_events(), seed=st.integers(0, 2**32))
    return examples(history(test))
