"""La Poste Suivi v2 answers: goldens, code table, carriers, times, bad payloads, determinism.

The expected table below was written from La Poste's "Suivi v2" documentation (developer portal,
"Codes événements": code, label, timeline step), independently of the adapter's table.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from suivi_normalizer.providers import AdapterError
from suivi_normalizer.providers.laposte import TABLE, carrier_slug, parse
from suivi_normalizer.testing.golden import check_golden, normalize_fixture
from suivi_schemas import EstimateSource, Reason, ShipmentStatus, ShipmentStatusEvent, Substatus

FIXTURES = Path(__file__).parents[2] / "fixtures" / "laposte"
ALL_FIXTURES = sorted(FIXTURES.glob("*.json"))

S, X = ShipmentStatus, Substatus

# code: (label, status, substatus)
EXPECTED: dict[str, tuple[str, ShipmentStatus, Substatus]] = {
    "DR1": ("Déclaratif réceptionné", S.INFO_RECEIVED, X.INFO_RECEIVED),
    "DR2": ("Problème lors de la préparation", S.EXCEPTION, X.OTHER),
    "PC1": ("Pris en charge", S.IN_TRANSIT, X.ACCEPTED),
    "PC2": ("Pris en charge dans le pays d'expédition", S.IN_TRANSIT, X.ACCEPTED),
    "ET1": ("En cours de traitement", S.IN_TRANSIT, X.PROCESSED_AT_FACILITY),
    "ET2": (
        "En cours de traitement dans le pays d'expédition",
        S.IN_TRANSIT,
        X.PROCESSED_AT_FACILITY,
    ),
    "ET3": (
        "En cours de traitement dans le pays de destination",
        S.IN_TRANSIT,
        X.ARRIVED_IN_DESTINATION_COUNTRY,
    ),
    "ET4": ("En cours de traitement dans un pays de transit", S.IN_TRANSIT, X.IN_TRANSIT),
    "EP1": ("En attente de présentation", S.IN_TRANSIT, X.IN_TRANSIT),
    "DO1": ("Entrée en Douane", S.IN_TRANSIT, X.CUSTOMS_PROCESSING),
    "DO2": ("Sortie de Douane", S.IN_TRANSIT, X.CUSTOMS_CLEARED),
    "DO3": ("Retenu en Douane", S.EXCEPTION, X.CUSTOMS_HOLD),
    "PB1": ("Problème en cours", S.EXCEPTION, X.OTHER),
    "PB2": ("Problème résolu", S.IN_TRANSIT, X.IN_TRANSIT),
    "MD2": ("Mis en distribution", S.OUT_FOR_DELIVERY, X.OUT_FOR_DELIVERY),
    "ND1": ("Non distribuable", S.EXCEPTION, X.UNDELIVERABLE),
    "AG1": (
        "En attente d'être retiré au guichet",
        S.AVAILABLE_FOR_PICKUP,
        X.ARRIVED_AT_PICKUP_POINT,
    ),
    "RE1": ("Retourné à l'expéditeur", S.RETURNING_TO_SENDER, X.RETURN_TO_SENDER),
    "DI0": ("Distribué en lot", S.DELIVERED, X.DELIVERED),
    "DI1": ("Distribué", S.DELIVERED, X.DELIVERED),
    "DI2": ("Distribué à l'expéditeur", S.RETURNED_TO_SENDER, X.RETURNED_TO_SENDER),
    "DI3": ("Retardé", S.IN_TRANSIT, X.CARRIER_DELAY),
    "ID0": ("Informations douane", S.IN_TRANSIT, X.CUSTOMS_PROCESSING),
}

UNMAPPED_IN_FIXTURES = {"AG2"}


def _events(name: str) -> list[ShipmentStatusEvent]:
    return normalize_fixture("laposte", FIXTURES / f"{name}.json")


def _body(name: str) -> Any:
    return json.loads((FIXTURES / f"{name}.json").read_text(encoding="utf-8"))


# --- golden fixtures ---------------------------------------------------------------------------


@pytest.mark.parametrize("fixture", ALL_FIXTURES, ids=lambda p: p.stem)
def test_golden(fixture: Path) -> None:
    check_golden("laposte", fixture)


def test_fixtures_cover_every_code_of_the_table() -> None:
    seen: set[str] = set()
    for fixture in ALL_FIXTURES:
        seen |= {e.raw_code for e in normalize_fixture("laposte", fixture) if e.raw_code}
    assert {c.lower() for c in seen - UNMAPPED_IN_FIXTURES} == set(TABLE.codes())
    assert seen >= UNMAPPED_IN_FIXTURES


# --- code table --------------------------------------------------------------------------------


def test_table_maps_exactly_the_documented_codes() -> None:
    assert set(TABLE.codes()) == {c.lower() for c in EXPECTED}
    assert len(TABLE) == 23


@pytest.mark.parametrize(("code", "expected"), sorted(EXPECTED.items()))
def test_code_meaning(code: str, expected: tuple[str, ShipmentStatus, Substatus]) -> None:
    meaning, known = TABLE.lookup(code, fallback=S.IN_TRANSIT)
    assert known
    assert (meaning.status, meaning.substatus) == expected[1:]
    assert meaning.action_required is (code == "AG1")


@pytest.mark.parametrize(
    ("code", "reason"),
    [("DR2", Reason.RETAILER), ("DO3", Reason.CUSTOMS), ("ND1", None), ("DI1", None)],
)
def test_code_reason(code: str, reason: Reason | None) -> None:
    assert TABLE.lookup(code, fallback=S.IN_TRANSIT)[0].reason is reason


def test_unknown_code_is_in_transit_and_flagged() -> None:
    events = _events("chronopost_delayed_undeliverable")
    unknown = [e for e in events if e.substatus is X.UNKNOWN_CODE]
    assert [(e.raw_code, e.status) for e in unknown] == [("AG2", S.IN_TRANSIT)]
    assert unknown[0].raw_message is not None and "« Gare de Lyon »" in unknown[0].raw_message


# --- carriers ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("holder", "product", "slug"),
    [
        (4, "Colissimo", "laposte"),
        (3, "Chronopost", "chronopost"),
        (1, "Lettre suivie", "laposte"),
        (1, "Lettre recommandée", "laposte"),
        (1, "Courrier international", "laposte"),
        (None, "Colissimo Expert International", "laposte"),
        (None, "CHRONOPOST 13", "chronopost"),
        (None, "Lettre suivie", "laposte"),
        (None, None, "laposte"),
        (2, "colissimo", "laposte"),  # undocumented holder: the product decides
        (True, "Lettre suivie", "laposte"),
    ],
)
def test_carrier_slug(holder: Any, product: str | None, slug: str) -> None:
    assert carrier_slug(holder, product) == slug


# --- behaviour on the fixtures ------------------------------------------------------------------


def test_history_newest_first_comes_out_oldest_first_and_repeats_collapse() -> None:
    events = _events("colissimo_delivered_duplicates")
    assert [e.raw_code for e in events] == ["DR1", "PC1", "ET1", "ET1", "EP1", "MD2", "DI1"]
    assert [e.occurred_at for e in events] == sorted(e.occurred_at for e in events)
    assert {e.key for e in events} == {"laposte:6A18987654321"}
    assert events[-1].raw_message == "Votre colis est livré dans votre boîte aux lettres."
    assert events[-1].occurred_at.utcoffset() == timedelta(hours=1)


def test_summer_offsets_are_kept_and_pickup_needs_the_shopper() -> None:
    events = _events("colissimo_pickup_point_returned")
    assert all(e.occurred_at.utcoffset() == timedelta(hours=2) for e in events)
    pickup = next(e for e in events if e.raw_code == "AG1")
    assert (pickup.status, pickup.action_required) == (S.AVAILABLE_FOR_PICKUP, True)
    assert [e.status for e in events[-2:]] == [S.RETURNING_TO_SENDER, S.RETURNED_TO_SENDER]


def test_customs_story_of_incoming_mail() -> None:
    events = _events("courrier_international_customs")
    assert {e.carrier for e in events} == {"laposte"}
    hold = next(e for e in events if e.raw_code == "DO3")
    assert (hold.status, hold.substatus, hold.reason) == (
        S.EXCEPTION,
        X.CUSTOMS_HOLD,
        Reason.CUSTOMS,
    )
    assert events[-1].raw_code == "DI0" and events[-1].status is S.DELIVERED
    # dates at midnight are kept as given (the day is what La Poste knows)
    assert events[0].occurred_at == datetime(2026, 1, 19, tzinfo=timezone(timedelta(hours=1)))


def test_estimate_window_on_the_latest_checkpoint_only() -> None:
    events = _events("chronopost_delayed_undeliverable")
    assert [e.estimated_delivery is not None for e in events] == [False] * 6 + [True]
    edd = events[-1].estimated_delivery
    assert edd is not None and edd.source is EstimateSource.CARRIER
    summer = timezone(timedelta(hours=2))
    assert (edd.earliest, edd.latest) == (date(2026, 7, 10), date(2026, 7, 10))
    assert (edd.earliest_at, edd.latest_at) == (
        datetime(2026, 7, 10, 9, 0, tzinfo=summer),
        datetime(2026, 7, 10, 13, 0, tzinfo=summer),
    )


def test_answers_to_several_idships_and_error_answers() -> None:
    events = _events("lettre_recommandee_multi_answer")
    assert {e.key for e in events} == {"laposte:1A01234567890"}
    # a date without an offset is French local time
    ofd = next(e for e in events if e.raw_code == "MD2")
    assert ofd.occurred_at == datetime(2026, 2, 25, 8, 12, tzinfo=timezone(timedelta(hours=1)))
    assert _events("not_yet_available") == []
    assert parse([]) == []


# --- determinism -------------------------------------------------------------------------------


def test_same_body_twice_gives_the_same_ids() -> None:
    for fixture in ALL_FIXTURES:
        first = normalize_fixture("laposte", fixture)
        assert [e.event_id for e in first] == [
            e.event_id for e in normalize_fixture("laposte", fixture)
        ]


def test_events_in_another_order_give_the_same_checkpoints() -> None:
    body = _body("courrier_international_customs")
    reordered = copy.deepcopy(body)
    reordered["shipment"]["event"].reverse()
    assert {(c.occurred_at, c.code) for c in parse(body)} == {
        (c.occurred_at, c.code) for c in parse(reordered)
    }


# --- bad bodies --------------------------------------------------------------------------------


def _mutated(change: Callable[[dict[str, Any]], object]) -> dict[str, Any]:
    body: dict[str, Any] = _body("colissimo_pickup_point_returned")
    change(body)
    return body


def _event(index: int, **fields: Any) -> Callable[[dict[str, Any]], object]:
    return lambda b: b["shipment"]["event"][index].update(fields)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("6A18987654321", "$: expected a JSON object"),
        ([7], "$[0]: expected an object"),
        (_mutated(lambda b: b.pop("shipment")), "$.shipment: missing"),
        (_mutated(lambda b: b.update(shipment=[])), "$.shipment: expected an object"),
        (_mutated(lambda b: b["shipment"].pop("idShip")), "$.shipment.idShip: missing"),
        (_mutated(lambda b: b["shipment"].update(idShip=42)), "$.shipment.idShip: not a"),
        (_mutated(lambda b: b["shipment"].update(product=4)), "$.shipment.product: expected"),
        (_mutated(lambda b: b["shipment"].update(event={})), "$.shipment.event: expected a list"),
        (_mutated(lambda b: b["shipment"]["event"].append("DI1")), "$.shipment.event[9]: expected"),
        (_mutated(_event(0, code=None)), "$.shipment.event[0].code: missing"),
        (_mutated(_event(0, code=" ")), "$.shipment.event[0].code: expected an event code"),
        (_mutated(_event(1, label=["x"])), "$.shipment.event[1].label: expected a string"),
        (_mutated(_event(2, date="16/04/2026")), "$.shipment.event[2].date: not an ISO 8601"),
        (_mutated(_event(3, date=None)), "$.shipment.event[3].date: expected an ISO 8601"),
        (
            _mutated(lambda b: b["shipment"].update(contextData="FR")),
            "$.shipment.contextData: expected an object",
        ),
        (
            _mutated(lambda b: b["shipment"].update(estimDate="demain")),
            "$.shipment.estimDate: not an ISO 8601",
        ),
        (
            _mutated(
                lambda b: b["shipment"].update(
                    estimDate="2026-05-06",
                    estimHourMin="2026-05-06T13:00:00+02:00",
                    estimHourMax="2026-05-06T09:00:00+02:00",
                )
            ),
            "$.shipment.estimHourMax: before estimHourMin",
        ),
    ],
)
def test_bad_bodies_name_the_path(body: Any, message: str) -> None:
    with pytest.raises(AdapterError) as info:
        parse(body)
    assert message in str(info.value)
