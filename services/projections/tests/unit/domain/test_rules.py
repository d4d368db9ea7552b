"""The pure rules: current state, ETA, generations, links and the order's aggregate status."""

from __future__ import annotations

import uuid
from datetime import date, timedelta

import pytest

from suivi_projections.db.rows import GENERATION_FIELDS
from suivi_projections.domain.orders import LinkedShipment, OrderStatus, links_of, order_status
from suivi_projections.domain.shipments import (
    Checkpoint,
    reduce_shipment,
    split_generations,
    summarize,
)
from suivi_projections.testing.reference import Projection
from suivi_projections.testing.samples import T0, order_event, status_event
from suivi_projections.write.sql import SHIPMENT_COLUMNS
from suivi_schemas import ShipmentStatus

S = ShipmentStatus
DAY = timedelta(days=1)


def cp(days: float, status: ShipmentStatus, code: str | None = None, **kw: object) -> Checkpoint:
    return Checkpoint.of(status_event("ups", "1Z1", T0 + days * DAY, status, code=code, **kw))  # type: ignore[arg-type]


def test_status_is_the_latest_event_by_occurred_at_whatever_the_arrival_order() -> None:
    events = [cp(2, S.OUT_FOR_DELIVERY), cp(0, S.INFO_RECEIVED), cp(1, S.IN_TRANSIT)]
    (generation,), _ = reduce_shipment(events, [])
    assert generation.status is S.OUT_FOR_DELIVERY
    assert generation.event_count == 3
    assert generation.first_event_at == T0 and generation.last_event_at == T0 + 2 * DAY


def test_same_instant_ties_are_broken_by_event_id() -> None:
    a, b = cp(1, S.IN_TRANSIT, code="a"), cp(1, S.EXCEPTION, code="b")
    winner = max(a, b, key=lambda c: c.event_id)
    assert summarize(1, sorted([a, b], key=lambda c: c.event_id)).status is winner.status
    assert reduce_shipment([b, a], [])[0] == reduce_shipment([a, b], [])[0]


def test_a_late_older_event_only_joins_the_timeline() -> None:
    current = [cp(0, S.INFO_RECEIVED), cp(3, S.DELIVERED)]
    (before,), _ = reduce_shipment(current, [])
    (after,), _ = reduce_shipment([*current, cp(1, S.IN_TRANSIT)], [])
    assert after.status is before.status is S.DELIVERED
    assert after.last_event_id == before.last_event_id
    assert after.event_count == 3


def test_eta_is_the_latest_events_else_the_newest_seen() -> None:
    first = cp(0, S.INFO_RECEIVED, eta=date(2025, 3, 7))
    second = cp(1, S.IN_TRANSIT, eta=date(2025, 3, 8))
    third = cp(2, S.IN_TRANSIT, code="no-eta")
    assert summarize(1, [first, second, third]).eta_latest == date(2025, 3, 8)
    assert summarize(1, [first, second, third]).eta_event_id == second.event_id
    assert summarize(1, [first]).eta_source is not None
    assert summarize(1, [third]).eta_event_id is None


def test_delivered_at_is_when_the_final_delivered_run_began() -> None:
    events = [cp(0, S.IN_TRANSIT), cp(1, S.DELIVERED), cp(1.5, S.DELIVERED, code="signed")]
    assert summarize(1, events).delivered_at == T0 + DAY
    returned = [*events, cp(2, S.RETURNING_TO_SENDER)]
    assert summarize(1, returned).delivered_at is None


def test_an_event_long_after_a_terminal_one_starts_a_new_generation() -> None:
    old = [cp(0, S.IN_TRANSIT), cp(2, S.DELIVERED)]
    new = [cp(200, S.INFO_RECEIVED), cp(201, S.IN_TRANSIT)]
    groups = split_generations([*new, *old])
    assert [len(g) for g in groups] == [2, 2]
    generations, _ = reduce_shipment([*new, *old], [])
    assert [g.status for g in generations] == [S.DELIVERED, S.IN_TRANSIT]


def test_events_within_the_gap_or_without_a_terminal_event_stay_in_one_generation() -> None:
    assert len(split_generations([cp(0, S.DELIVERED), cp(80, S.IN_TRANSIT)])) == 1
    assert len(split_generations([cp(0, S.IN_TRANSIT), cp(300, S.IN_TRANSIT)])) == 1
    # Gap measured from the latest terminal event: a straggler scan does not reopen for ever.
    after_straggler = [cp(0, S.DELIVERED), cp(5, S.IN_TRANSIT), cp(120, S.INFO_RECEIVED)]
    assert [len(g) for g in split_generations(after_straggler)] == [2, 1]


def test_the_gap_is_configurable() -> None:
    events = [cp(0, S.DELIVERED), cp(40, S.INFO_RECEIVED)]
    assert len(split_generations(events, timedelta(days=30))) == 2
    assert len(split_generations(events)) == 1


def test_an_order_links_to_the_generation_of_its_time() -> None:
    old = [cp(0, S.IN_TRANSIT), cp(2, S.DELIVERED)]
    new = [cp(200, S.INFO_RECEIVED)]
    generations, linked = reduce_shipment([*old, *new], [T0 - DAY, T0 + DAY, T0 + 199 * DAY])
    assert linked == (1, 1, 2)
    assert len(generations) == 2


def test_an_order_after_a_closed_generation_gets_an_empty_new_one() -> None:
    generations, linked = reduce_shipment([cp(0, S.DELIVERED)], [T0 + 150 * DAY])
    assert linked == (2,)
    assert generations[1].status is None and generations[1].event_count == 0
    nothing_yet, (only,) = reduce_shipment([], [T0])
    assert only == 1 and nothing_yet[0].event_count == 0


def test_newest_snapshot_wins_ties_by_event_id() -> None:
    old = order_event("acme", "1", updated_at=T0)
    new = order_event("acme", "1", updated_at=T0 + DAY)
    tied = [order_event("acme", "1", updated_at=T0 + DAY, event_id=uuid.uuid4()) for _ in "ab"]
    projection = Projection()
    for event in (new, old, new):
        projection.apply(event)
    assert projection.orders[("acme", "1")].snapshot is new
    for event in tied:
        projection.apply(event)
    newest = max([new, *tied], key=lambda e: e.event_id)
    assert projection.orders[("acme", "1")].snapshot is newest


def test_a_parcel_listed_twice_is_merged() -> None:
    order = order_event(
        "acme",
        "1",
        shipments=[("ups", "1z 1", [("a", 1)]), ("ups", "1Z1", [("a", 1), ("b", 2)])],
    )
    (link,) = links_of(order)
    assert link.key == ("ups", "1Z1") and link.items == (("a", 2), ("b", 2))
    assert link.anchor == order.placed_at


def ship(status: ShipmentStatus | None, items: tuple[tuple[str, int], ...] = (), **kw: object):  # type: ignore[no-untyped-def]
    return LinkedShipment(str(kw.get("state", "active")), items, status, bool(kw.get("action")))


LINES = (("a", 1), ("b", 2))


@pytest.mark.parametrize(
    ("cancelled", "shipments", "expected"),
    [
        (True, [ship(S.DELIVERED)], OrderStatus.CANCELLED),
        (False, [], OrderStatus.CONFIRMED),
        (False, [ship(S.IN_TRANSIT, state="cancelled")], OrderStatus.CONFIRMED),
        (False, [ship(None, (("a", 1),))], OrderStatus.PARTIALLY_SHIPPED),
        (False, [ship(S.INFO_RECEIVED, (("a", 1), ("b", 2)))], OrderStatus.SHIPPED),
        (False, [ship(None)], OrderStatus.SHIPPED),
        (False, [ship(S.IN_TRANSIT), ship(S.PENDING)], OrderStatus.IN_TRANSIT),
        (False, [ship(S.IN_TRANSIT), ship(S.OUT_FOR_DELIVERY)], OrderStatus.OUT_FOR_DELIVERY),
        (False, [ship(S.DELIVERED), ship(S.IN_TRANSIT)], OrderStatus.PARTIALLY_DELIVERED),
        (False, [ship(S.DELIVERED, (("a", 1),))], OrderStatus.PARTIALLY_DELIVERED),
        (False, [ship(S.DELIVERED), ship(S.DELIVERED)], OrderStatus.DELIVERED),
        (False, [ship(S.DELIVERED), ship(S.LOST, state="cancelled")], OrderStatus.DELIVERED),
        (False, [ship(S.DELIVERED), ship(S.EXCEPTION)], OrderStatus.NEEDS_ATTENTION),
        (False, [ship(S.AVAILABLE_FOR_PICKUP)], OrderStatus.NEEDS_ATTENTION),
        (False, [ship(S.IN_TRANSIT, action=True)], OrderStatus.NEEDS_ATTENTION),
    ],
)
def test_order_status(
    cancelled: bool, shipments: list[LinkedShipment], expected: OrderStatus
) -> None:
    assert order_status(cancelled=cancelled, line_items=LINES, shipments=shipments) is expected


def test_the_shipments_columns_follow_the_generation_fields() -> None:
    columns = [c.strip() for c in SHIPMENT_COLUMNS.split(",")]
    assert columns == ["generation", *GENERATION_FIELDS[1:]]


def test_a_stalled_or_late_parcel_raises_an_order_on_its_way_to_needs_attention() -> None:
    from suivi_projections.domain.orders import OrderStatus, with_watch

    for status in (OrderStatus.IN_TRANSIT, OrderStatus.PARTIALLY_DELIVERED, OrderStatus.SHIPPED):
        assert with_watch(status, watched=True) is OrderStatus.NEEDS_ATTENTION
        assert with_watch(status, watched=False) is status
    for done in (OrderStatus.DELIVERED, OrderStatus.CANCELLED, OrderStatus.CONFIRMED):
        assert with_watch(done, watched=True) is done
