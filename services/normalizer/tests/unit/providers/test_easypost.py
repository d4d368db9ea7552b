"""EasyPost webhook Events: golden fixtures, code tables, bad bodies, determinism."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from suivi_normalizer.providers import AdapterError
from suivi_normalizer.providers.base import Parsed
from suivi_normalizer.providers.easypost import (
    DETAILS,
    GENERIC_DETAILS,
    STATUSES,
    carrier_slug,
    meaning_for,
    parse,
)
from suivi_normalizer.testing.golden import check_golden, normalize_fixture
from suivi_schemas import EstimateSource, Reason, ShipmentStatus, ShipmentStatusEvent, Substatus

FIXTURES = Path(__file__).parents[2] / "fixtures" / "easypost"
ALL_FIXTURES = sorted(FIXTURES.glob("*.json"))

S = ShipmentStatus
U = Substatus

# Copied by hand from https://docs.easypost.com/docs/trackers ("Tracker object").
DOCUMENTED_STATUSES = {
    "unknown", "pre_transit", "in_transit", "out_for_delivery", "delivered",
    "available_for_pickup", "return_to_sender", "failure", "cancelled", "error",
}  # fmt: skip
DOCUMENTED_DETAILS = {
    "address_correction", "arrived_at_destination", "arrived_at_facility",
    "arrived_at_pickup_location", "awaiting_information", "cancelled", "damaged", "delayed",
    "delivery_exception", "departed_facility", "departed_origin_facility", "expired", "failure",
    "held", "in_transit", "label_created", "lost", "missorted", "out_for_delivery",
    "received_at_destination_facility", "received_at_origin_facility", "refused", "return",
    "status_update", "transferred_to_destination_carrier", "transit_exception", "unknown",
    "weather_delay",
}  # fmt: skip


def events_of(name: str) -> list[ShipmentStatusEvent]:
    return normalize_fixture("easypost", FIXTURES / name)


def load(name: str) -> dict[str, Any]:
    body: dict[str, Any] = json.loads((FIXTURES / name).read_text(encoding="utf-8"))
    return body


# --- golden fixtures ---------------------------------------------------------------------------


@pytest.mark.parametrize("fixture", ALL_FIXTURES, ids=lambda p: p.stem)
def test_golden(fixture: Path) -> None:
    check_golden("easypost", fixture)


def test_tables_hold_exactly_the_documented_codes() -> None:
    assert set(STATUSES.codes()) == DOCUMENTED_STATUSES
    assert set(DETAILS.codes()) | GENERIC_DETAILS == DOCUMENTED_DETAILS
    assert not set(DETAILS.codes()) & GENERIC_DETAILS


def test_fixtures_cover_every_code_in_the_tables() -> None:
    statuses: set[str] = set()
    details: set[str] = set()
    for fixture in ALL_FIXTURES:
        for event in normalize_fixture("easypost", fixture):
            assert event.raw_code is not None
            status, _, detail = event.raw_code.partition("/")
            statuses.add(status)
            if detail:
                details.add(detail)
    assert set(STATUSES.codes()) - statuses == set()
    assert (set(DETAILS.codes()) | GENERIC_DETAILS) - details == set()


# --- code tables, written from the docs' names independently of the module ---------------------

STATUS_CASES = [
    ("unknown", S.PENDING, U.NOT_FOUND),
    ("pre_transit", S.INFO_RECEIVED, U.INFO_RECEIVED),
    ("in_transit", S.IN_TRANSIT, U.IN_TRANSIT),
    ("out_for_delivery", S.OUT_FOR_DELIVERY, U.OUT_FOR_DELIVERY),
    ("delivered", S.DELIVERED, U.DELIVERED),
    ("available_for_pickup", S.AVAILABLE_FOR_PICKUP, U.ARRIVED_AT_PICKUP_POINT),
    ("return_to_sender", S.RETURNING_TO_SENDER, U.RETURN_TO_SENDER),
    ("failure", S.EXCEPTION, None),
    ("cancelled", S.CANCELLED, U.CANCELLED),
    ("error", S.EXCEPTION, None),
]

# Each detail with the status EasyPost pairs it with in practice.
DETAIL_CASES = [
    ("in_transit", "address_correction", S.IN_TRANSIT, U.ADDRESS_ISSUE),
    ("in_transit", "arrived_at_destination", S.IN_TRANSIT, U.ARRIVED_AT_FACILITY),
    ("in_transit", "arrived_at_facility", S.IN_TRANSIT, U.ARRIVED_AT_FACILITY),
    ("in_transit", "arrived_at_pickup_location", S.AVAILABLE_FOR_PICKUP, U.ARRIVED_AT_PICKUP_POINT),
    ("failure", "awaiting_information", S.EXCEPTION, U.CONTACT_CARRIER),
    ("cancelled", "cancelled", S.CANCELLED, U.CANCELLED),
    ("failure", "damaged", S.EXCEPTION, U.DAMAGED),
    ("in_transit", "delayed", S.IN_TRANSIT, U.CARRIER_DELAY),
    ("in_transit", "delivery_exception", S.DELIVERY_ATTEMPT_FAILED, None),
    ("in_transit", "departed_facility", S.IN_TRANSIT, U.DEPARTED_FACILITY),
    ("in_transit", "departed_origin_facility", S.IN_TRANSIT, U.DEPARTED_FACILITY),
    ("failure", "expired", S.EXPIRED, U.EXPIRED),
    ("failure", "failure", S.EXCEPTION, None),
    ("in_transit", "held", S.IN_TRANSIT, U.HELD_BY_CARRIER),
    ("in_transit", "in_transit", S.IN_TRANSIT, U.IN_TRANSIT),
    ("pre_transit", "label_created", S.INFO_RECEIVED, U.LABEL_CREATED),
    ("failure", "lost", S.LOST, U.LOST),
    ("in_transit", "missorted", S.IN_TRANSIT, U.MISSORTED),
    ("out_for_delivery", "out_for_delivery", S.OUT_FOR_DELIVERY, U.OUT_FOR_DELIVERY),
    ("in_transit", "received_at_destination_facility", S.IN_TRANSIT, U.ARRIVED_AT_FACILITY),
    ("in_transit", "received_at_origin_facility", S.IN_TRANSIT, U.ACCEPTED),
    ("failure", "refused", S.EXCEPTION, U.REFUSED),
    ("return_to_sender", "return", S.RETURNING_TO_SENDER, U.RETURN_TO_SENDER),
    ("pre_transit", "status_update", S.INFO_RECEIVED, U.INFO_RECEIVED),
    ("in_transit", "transferred_to_destination_carrier", S.IN_TRANSIT, U.TRANSFERRED_TO_CARRIER),
    ("failure", "transit_exception", S.EXCEPTION, None),
    ("in_transit", "unknown", S.IN_TRANSIT, U.IN_TRANSIT),
    ("in_transit", "weather_delay", S.IN_TRANSIT, U.WEATHER_DELAY),
]


def test_cases_cover_every_documented_code() -> None:
    assert {c[0] for c in STATUS_CASES} == DOCUMENTED_STATUSES
    assert {c[1] for c in DETAIL_CASES} == DOCUMENTED_DETAILS


@pytest.mark.parametrize(("code", "status", "substatus"), STATUS_CASES)
def test_status_table(code: str, status: ShipmentStatus, substatus: Substatus | None) -> None:
    meaning, known = meaning_for(code, None, None)
    assert known
    assert (meaning.status, meaning.substatus) == (status, substatus)


@pytest.mark.parametrize(("code", "detail", "status", "substatus"), DETAIL_CASES)
def test_detail_table(
    code: str, detail: str, status: ShipmentStatus, substatus: Substatus | None
) -> None:
    meaning, known = meaning_for(code, detail, None)
    assert known
    assert (meaning.status, meaning.substatus) == (status, substatus)


@pytest.mark.parametrize(
    ("code", "detail", "status", "substatus", "reason"),
    [
        # the status is decisive for deliveries, returns, cancellations and pickups
        ("delivered", "arrived_at_destination", S.DELIVERED, U.DELIVERED, None),
        (
            "return_to_sender",
            "refused",
            S.RETURNING_TO_SENDER,
            U.RETURN_TO_SENDER,
            Reason.CONSIGNEE,
        ),
        (
            "return_to_sender",
            "arrived_at_facility",
            S.RETURNING_TO_SENDER,
            U.RETURN_TO_SENDER,
            None,
        ),
        ("available_for_pickup", "held", S.AVAILABLE_FOR_PICKUP, U.ARRIVED_AT_PICKUP_POINT, None),
        ("cancelled", "status_update", S.CANCELLED, U.CANCELLED, None),
        # failure turns movement and attempt details into exceptions, keeping the substatus
        ("failure", "delayed", S.EXCEPTION, U.CARRIER_DELAY, None),
        ("failure", "held", S.EXCEPTION, U.HELD_BY_CARRIER, None),
        ("failure", "missorted", S.EXCEPTION, U.MISSORTED, Reason.CARRIER),
        ("failure", "address_correction", S.EXCEPTION, U.ADDRESS_ISSUE, None),
        ("failure", "delivery_exception", S.EXCEPTION, None, None),
        ("error", "in_transit", S.EXCEPTION, U.IN_TRANSIT, None),
        # but not documented endings
        ("failure", "lost", S.LOST, U.LOST, Reason.CARRIER),
        ("in_transit", "weather_delay", S.IN_TRANSIT, U.WEATHER_DELAY, Reason.WEATHER),
        # a generic detail defers to the status
        ("unknown", "status_update", S.PENDING, U.NOT_FOUND, None),
        ("delivered", "unknown", S.DELIVERED, U.DELIVERED, None),
    ],
)
def test_status_refines_detail(
    code: str,
    detail: str,
    status: ShipmentStatus,
    substatus: Substatus | None,
    reason: Reason | None,
) -> None:
    meaning, known = meaning_for(code, detail, "scan")
    assert known
    assert (meaning.status, meaning.substatus, meaning.reason) == (status, substatus, reason)


@pytest.mark.parametrize(
    ("message", "status"),
    [
        ("Delivered to shipper", S.RETURNED_TO_SENDER),
        ("Delivered, To Original Sender", S.RETURNED_TO_SENDER),
        ("Return delivered to sender", S.RETURNED_TO_SENDER),
        ("Returning to Sender: In Transit to UPS Facility", S.RETURNING_TO_SENDER),
        ("Could not be delivered, returning to sender", S.RETURNING_TO_SENDER),
        (None, S.RETURNING_TO_SENDER),
    ],
)
def test_return_message_tells_returning_from_returned(
    message: str | None, status: ShipmentStatus
) -> None:
    assert meaning_for("return_to_sender", "return", message)[0].status is status


def test_unmapped_codes_are_flagged_not_guessed() -> None:
    meaning, known = meaning_for("in_transit", "customs_cleared", None)
    assert (meaning.status, meaning.substatus, known) == (S.IN_TRANSIT, U.UNKNOWN_CODE, False)
    meaning, known = meaning_for("delivered", "left_with_neighbour", None)
    assert (meaning.status, meaning.substatus, known) == (S.DELIVERED, U.UNKNOWN_CODE, False)
    meaning, known = meaning_for("held_in_customs", None, None)
    assert (meaning.status, meaning.substatus, known) == (S.IN_TRANSIT, U.UNKNOWN_CODE, False)
    meaning, known = meaning_for("held_in_customs", "label_created", None)
    assert known is False


def test_unknown_codes_fixture() -> None:
    events = events_of("unknown_codes.json")
    flagged = [(e.raw_code, e.status) for e in events if e.substatus is U.UNKNOWN_CODE]
    assert flagged == [
        ("in_transit/customs_cleared", S.IN_TRANSIT),
        ("held_in_customs", S.IN_TRANSIT),
    ]


@pytest.mark.parametrize(
    ("name", "slug"),
    [
        ("USPS", "usps"),
        ("UPS", "ups"),
        ("FedEx", "fedex"),
        ("DHLExpress", "dhl"),
        ("DHL Express", "dhl"),
        ("Canada Post", "canada-post"),
        ("CanadaPost", "canada-post"),
        ("LaPoste", "laposte"),
        ("Deutsche Post", "deutsche-post"),
        ("Spee-Dee", "spee-dee"),
        ("Poste Italiane", "poste-italiane"),
    ],
)
def test_carrier_slug(name: str, slug: str) -> None:
    assert carrier_slug(name, "$.result.carrier") == slug


# --- what the fixtures show ---------------------------------------------------------------------


def test_history_out_of_order_comes_out_oldest_first_with_offsets_kept() -> None:
    events = events_of("in_transit_out_of_order.json")
    assert len(events) == 12
    assert [e.occurred_at for e in events] == sorted(e.occurred_at for e in events)
    assert events[0].raw_code == "pre_transit/label_created"
    assert events[-1].raw_code == "in_transit/address_correction"
    memphis = next(e for e in events if e.raw_code == "in_transit/arrived_at_facility")
    assert memphis.occurred_at.utcoffset() == timedelta(hours=-6)
    # 'Z' stays UTC even for a located US scan (see the module docstring)
    dallas = next(e for e in events if e.raw_code == "in_transit/missorted")
    assert dallas.occurred_at == datetime(2025, 2, 11, 19, 55, tzinfo=UTC)
    assert dallas.location is not None and dallas.location.region == "TX"
    # a location with every field null is no location
    assert next(e for e in events if e.raw_code == "in_transit/in_transit").location is None
    # the informational mid-journey "unknown/status_update" scan reads as pending (design table)
    # USPS's "Arriving On Time" under EasyPost's unknown/status_update: moving, not unknown.
    assert next(e for e in events if e.raw_code == "unknown/status_update").status is S.IN_TRANSIT
    assert [e.estimated_delivery is not None for e in events] == [False] * 11 + [True]
    assert events[-1].estimated_delivery is not None
    assert events[-1].estimated_delivery.earliest == date(2025, 2, 15)
    assert events[-1].key == "usps:9400111899562537683145"


def test_delivered_uses_the_local_estimate_date() -> None:
    events = events_of("delivered_fedex.json")
    last = events[-1]
    assert (last.status, last.carrier, last.raw_message) == (S.DELIVERED, "fedex", "Delivered")
    assert last.estimated_delivery is not None
    # est_delivery_date is 2025-04-23T01:00Z; the carrier's local date is the 22nd
    assert last.estimated_delivery.earliest == date(2025, 4, 22)
    assert last.estimated_delivery.source is EstimateSource.CARRIER
    statuses = [e.status for e in events]
    assert statuses.count(S.DELIVERY_ATTEMPT_FAILED) == 1
    assert statuses.count(S.EXCEPTION) == 1  # EasyPost's failure/delayed for a failed attempt


def test_return_to_sender_story() -> None:
    events = events_of("return_to_sender_ups.json")
    assert [e.status for e in events[-4:]] == [
        S.RETURNING_TO_SENDER,
        S.RETURNING_TO_SENDER,
        S.RETURNING_TO_SENDER,
        S.RETURNED_TO_SENDER,
    ]
    assert events[-4].reason is Reason.CONSIGNEE
    assert events[-1].substatus is U.RETURNED_TO_SENDER


def test_delivered_after_a_return_scan_is_the_return_arriving() -> None:
    body = load("return_to_sender_ups.json")
    last = body["result"]["tracking_details"][-1]
    last.update(status="delivered", status_detail="arrived_at_destination", message="Delivered")
    checkpoints = parse(body)
    assert checkpoints[-1].meaning.status is S.RETURNED_TO_SENDER
    assert checkpoints[-1].code == "delivered/arrived_at_destination"
    # a delivery before any return scan stays a delivery
    body["result"]["tracking_details"] = [last]
    assert parse(body)[0].meaning.status is S.DELIVERED


def test_non_ascii_places_and_local_times() -> None:
    events = events_of("non_ascii_deutsche_post.json")
    assert {e.carrier for e in events} == {"deutsche-post"}
    first = events[0]
    assert first.location is not None and first.location.city == "München"
    assert first.raw_message == "Die Sendung wurde elektronisch angekündigt."
    evry = next(e for e in events if e.raw_code == "in_transit/received_at_destination_facility")
    # written without an offset: placed in France's single zone (CET in March)
    assert evry.occurred_at == datetime(2025, 3, 10, 8, 15, tzinfo=timezone(timedelta(hours=1)))
    assert evry.location is not None and evry.location.city == "Évry-Courcouronnes"
    pickup = events[-1]
    assert (pickup.status, pickup.action_required) == (S.AVAILABLE_FOR_PICKUP, True)
    assert pickup.location is not None
    assert (pickup.location.city, pickup.location.country) == ("Évry", "FR")  # "France" resolved
    assert pickup.raw_message is not None and "« Tabac de la Gare »" in pickup.raw_message


def test_duplicates_in_one_history_collapse() -> None:
    events = events_of("duplicates_ups.json")
    assert [e.raw_code for e in events] == [
        "pre_transit/label_created",
        "in_transit/arrived_at_facility",
        "in_transit/departed_facility",
        "out_for_delivery/out_for_delivery",
    ]
    assert events[1].raw_message == "Arrival Scan"  # the first copy wins
    assert events[-1].estimated_delivery is not None


def test_same_body_twice_gives_the_same_ids() -> None:
    for fixture in ALL_FIXTURES:
        first = normalize_fixture("easypost", fixture)
        second = normalize_fixture("easypost", fixture)
        assert [e.event_id for e in first] == [e.event_id for e in second]


def test_same_history_in_another_order_gives_the_same_ids() -> None:
    body = load("in_transit_out_of_order.json")
    reordered = copy.deepcopy(body)
    reordered["result"]["tracking_details"].reverse()
    ids = {cp.occurred_at: cp.code for cp in parse(body)}
    assert ids == {cp.occurred_at: cp.code for cp in parse(reordered)}


@pytest.mark.parametrize("name", ["created_empty.json", "batch_event.json"])
def test_bodies_without_checkpoints(name: str) -> None:
    assert parse(load(name)) == []
    assert events_of(name) == []


# --- bad bodies ---------------------------------------------------------------------------------


def _mutated(change: Callable[[dict[str, Any]], object]) -> dict[str, Any]:
    body = load("delivered_fedex.json")
    change(body)
    return body


def _detail(index: int, **fields: Any) -> Callable[[dict[str, Any]], object]:
    return lambda b: b["result"]["tracking_details"][index].update(fields)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (["not", "an", "object"], "$: expected an EasyPost Event object"),
        (_mutated(lambda b: b.update(object="Tracker")), "$.object: expected 'Event'"),
        (_mutated(lambda b: b.pop("description")), "$.description: missing"),
        (_mutated(lambda b: b.pop("result")), "$.result: missing"),
        (_mutated(lambda b: b.update(result="trk_123")), "$.result: expected a Tracker object"),
        (_mutated(lambda b: b["result"].update(object="Shipment")), "$.result.object"),
        (_mutated(lambda b: b["result"].pop("tracking_code")), "$.result.tracking_code: missing"),
        (_mutated(lambda b: b["result"].update(tracking_code=" ")), "$.result.tracking_code"),
        (_mutated(lambda b: b["result"].pop("carrier")), "$.result.carrier: missing"),
        (_mutated(lambda b: b["result"].update(carrier="—")), "$.result.carrier: not a carrier"),
        (_mutated(lambda b: b["result"].update(carrier=["UPS"])), "$.result.carrier: expected"),
        (
            _mutated(lambda b: b["result"].update(tracking_details={"0": {}})),
            "$.result.tracking_details: expected a list",
        ),
        (
            _mutated(lambda b: b["result"]["tracking_details"].append("scan")),
            "$.result.tracking_details[8]: expected a TrackingDetail object",
        ),
        (
            _mutated(_detail(2, datetime="yesterday")),
            "$.result.tracking_details[2].datetime: not an ISO 8601 timestamp",
        ),
        (
            _mutated(_detail(3, datetime=None)),
            "$.result.tracking_details[3].datetime: expected an ISO 8601 timestamp",
        ),
        (_mutated(_detail(1, status=None)), "$.result.tracking_details[1].status: missing"),
        (_mutated(_detail(1, status=7)), "$.result.tracking_details[1].status: expected"),
        (_mutated(_detail(1, status_detail=["x"])), "$.result.tracking_details[1].status_detail"),
    ],
)
def test_bad_bodies_name_the_path(body: Any, message: str) -> None:
    with pytest.raises(AdapterError) as info:
        parse(body)
    assert message in str(info.value)


def test_bad_estimate_is_dropped_and_counted_not_refused() -> None:
    body = load("in_transit_out_of_order.json")
    body["result"]["est_delivery_date"] = "next tuesday"
    parsed = parse(body)
    assert isinstance(parsed, Parsed) and parsed.degraded == ("$.result.estimate",)
    assert parsed and all(cp.estimated_delivery is None for cp in parsed)


@pytest.mark.parametrize(
    ("mutate", "field"),
    [
        (_detail(0, tracking_location="LA"), "$.result.tracking_details[].tracking_location"),
        (lambda b: b["result"].update(carrier_detail="x"), "$.result.estimate"),
        (
            lambda b: b["result"]["carrier_detail"].update(est_delivery_date_local="soon"),
            "$.result.estimate",
        ),
    ],
)
def test_optional_parts_degrade_instead_of_refusing(mutate: Any, field: str) -> None:
    parsed = parse(_mutated(mutate))
    assert isinstance(parsed, Parsed) and parsed and parsed.degraded == (field,)


def test_a_tracker_without_details_is_no_news() -> None:
    body = _mutated(lambda b: b["result"].pop("tracking_details"))
    assert parse(body) == []
    body["result"]["tracking_details"] = None
    assert parse(body) == []
