"""Parcel facts: any order and any repetition of the same status events give the same facts."""

from __future__ import annotations

import itertools
from datetime import timedelta

from suivi_aftersales.domain.parcels import ParcelFacts, learn
from suivi_aftersales.testing.builders import T0, status_event
from suivi_schemas.returns import ReturnState
from suivi_schemas.status import ShipmentStatus

N = "6A22222222222"
LABEL = status_event(N, ShipmentStatus.INFO_RECEIVED, T0, city=None)
FIRST = status_event(N, ShipmentStatus.IN_TRANSIT, T0 + timedelta(hours=2), city="Lyon")
HUB = status_event(N, ShipmentStatus.IN_TRANSIT, T0 + timedelta(hours=9), city="Paris")
DELIVERED = status_event(N, ShipmentStatus.DELIVERED, T0 + timedelta(days=2), city="Roubaix")


def facts_of(*events: object) -> ParcelFacts:
    facts = ParcelFacts()
    for event in events:
        facts = learn(facts, event)  # type: ignore[arg-type]
    return facts


def test_every_order_and_duplicate_gives_the_same_facts() -> None:
    expected = facts_of(LABEL, FIRST, HUB, DELIVERED)
    for order in itertools.permutations([LABEL, FIRST, HUB, DELIVERED, FIRST, DELIVERED]):
        assert facts_of(*order) == expected
    assert expected.first_scan_at == FIRST.occurred_at
    assert expected.first_scan_location is not None
    assert expected.first_scan_location.city == "Lyon"
    assert expected.delivered_at == DELIVERED.occurred_at


def test_stages() -> None:
    assert facts_of(LABEL).stage() is None  # a label is no deposit
    assert facts_of(LABEL, FIRST).stage() is ReturnState.DROPPED_OFF
    assert facts_of(FIRST, FIRST).stage() is ReturnState.DROPPED_OFF
    assert facts_of(HUB, FIRST).stage() is ReturnState.IN_TRANSIT
    assert facts_of(DELIVERED).stage() is ReturnState.RECEIVED
