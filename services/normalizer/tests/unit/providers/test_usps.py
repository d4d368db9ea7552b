"""USPS Tracking 3.0 details: golden fixtures, the event code table, times, bad bodies."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from suivi_normalizer.domain.normalize import normalize
from suivi_normalizer.providers import AdapterError, parser_for, usps
from suivi_normalizer.providers.usps import EVENT_CODES, meaning_for, parse
from suivi_normalizer.testing.golden import check_golden, normalize_fixture, raw_event
from suivi_schemas import (
    EstimateSource,
    Reason,
    ShipmentStatus,
    ShipmentStatusEvent,
    Substatus,
    TimeBasis,
)

FIXTURES = Path(__file__).parents[2] / "fixtures" / "usps"
ALL_FIXTURES = sorted(FIXTURES.glob("*.json"))

S = ShipmentStatus
U = Substatus
R = Reason

# USPS Pub 199 Appendix G-4 domestic scan events, written from the appendix's descriptions
# independently of the module: (code, description, status, substatus, action_required).
DOCUMENTED_CODES: list[tuple[str, str, ShipmentStatus, Substatus | None, bool]] = [
    ("MA", "Manifest Acknowledgement", S.INFO_RECEIVED, U.LABEL_CREATED, False),
    ("GX", "Shipping Label Created", S.INFO_RECEIVED, U.LABEL_CREATED, False),
    ("GC", "Return Receipt Associated", S.INFO_RECEIVED, U.INFO_RECEIVED, False),
    ("89", "Merchant Order Receipt, USPS Awaiting Item", S.INFO_RECEIVED, U.AWAITING_PICKUP,
     False),
    ("03", "Accept or Pickup", S.IN_TRANSIT, U.ACCEPTED, False),
    ("TM", "Shipment Received, Package Acceptance Pending", S.IN_TRANSIT, U.ACCEPTED, False),
    ("PA", "Passive Acceptance", S.IN_TRANSIT, U.ACCEPTED, False),
    ("OA", "Origin Acceptance", S.IN_TRANSIT, U.ACCEPTED, False),
    ("UA", "Accepted at USPS Facility", S.IN_TRANSIT, U.ACCEPTED, False),
    ("AD", "Acceptance at Destination", S.IN_TRANSIT, U.ACCEPTED, False),
    ("83", "Tendered to Postal Service", S.IN_TRANSIT, U.TRANSFERRED_TO_CARRIER, False),
    ("80", "Picked Up by Shipping Partner", S.IN_TRANSIT, U.PICKED_UP, False),
    ("81", "Arrived Shipping Partner Facility", S.IN_TRANSIT, U.ARRIVED_AT_FACILITY, False),
    ("82", "Departed Shipping Partner Facility", S.IN_TRANSIT, U.DEPARTED_FACILITY, False),
    ("42", "USPS Handoff to Shipping Partner", S.IN_TRANSIT, U.TRANSFERRED_TO_CARRIER, False),
    ("10", "Processed", S.IN_TRANSIT, U.PROCESSED_AT_FACILITY, False),
    ("PC", "Sorting / Processing Complete", S.IN_TRANSIT, U.PROCESSED_AT_FACILITY, False),
    ("EF", "Departed Sort Facility", S.IN_TRANSIT, U.DEPARTED_FACILITY, False),
    ("SF", "Departed Post Office", S.IN_TRANSIT, U.DEPARTED_FACILITY, False),
    # seen in a recorded v3 body (fixtures/usps/SOURCES.md), with USPS's own words
    ("A1", "Arrived at USPS Regional Facility", S.IN_TRANSIT, U.ARRIVED_AT_FACILITY, False),
    ("T1", "Departed USPS Regional Facility", S.IN_TRANSIT, U.DEPARTED_FACILITY, False),
    ("TL", "In Transit to Next Facility", S.IN_TRANSIT, U.IN_TRANSIT, False),
    ("07", "Arrival at Unit", S.IN_TRANSIT, U.ARRIVED_AT_FACILITY, False),
    ("19", "DC eVS Arrive", S.IN_TRANSIT, U.ARRIVED_AT_FACILITY, False),
    ("41", "Received at Opening Unit", S.IN_TRANSIT, U.ARRIVED_AT_FACILITY, False),
    ("08", "Missent", S.IN_TRANSIT, U.MISSORTED, False),
    ("15", "Mis-shipped", S.IN_TRANSIT, U.MISSORTED, False),
    ("06", "Forwarded", S.IN_TRANSIT, U.FORWARDED, False),
    ("71", "Rescheduled to Next Delivery Day", S.IN_TRANSIT, U.DELIVERY_RESCHEDULED, False),
    ("DX", "Delivery Status Not Updated", S.IN_TRANSIT, U.CARRIER_DELAY, False),
    ("OF", "Out for Delivery", S.OUT_FOR_DELIVERY, U.OUT_FOR_DELIVERY, False),
    ("14", "Arrival at Pickup Point", S.AVAILABLE_FOR_PICKUP, U.ARRIVED_AT_PICKUP_POINT, True),
    ("16", "Available for Pickup", S.AVAILABLE_FOR_PICKUP, U.ARRIVED_AT_PICKUP_POINT, True),
    ("01", "Delivered", S.DELIVERED, U.DELIVERED, False),
    ("17", "Picked Up By Agent", S.DELIVERED, U.PICKED_UP_BY_CUSTOMER, False),
    ("43", "Picked Up", S.DELIVERED, U.PICKED_UP_BY_CUSTOMER, False),
    ("02", "Attempted / Notice Left", S.DELIVERY_ATTEMPT_FAILED, U.NOTICE_LEFT, True),
    ("52", "Notice Left", S.DELIVERY_ATTEMPT_FAILED, U.NOTICE_LEFT, True),
    ("53", "Receptacle Blocked", S.DELIVERY_ATTEMPT_FAILED, U.LOCATION_INACCESSIBLE, True),
    ("54", "Receptacle Full / Item Oversized", S.DELIVERY_ATTEMPT_FAILED,
     U.LOCATION_INACCESSIBLE, True),
    ("55", "No Secure Location Available", S.DELIVERY_ATTEMPT_FAILED, U.LOCATION_INACCESSIBLE,
     True),
    ("56", "No Authorized Recipient Available", S.DELIVERY_ATTEMPT_FAILED,
     U.RECIPIENT_UNAVAILABLE, True),
    ("51", "Business Closed", S.DELIVERY_ATTEMPT_FAILED, U.BUSINESS_CLOSED, True),
    ("30", "No Access to Delivery Location", S.DELIVERY_ATTEMPT_FAILED, U.LOCATION_INACCESSIBLE,
     True),
    ("04", "Refused", S.EXCEPTION, U.REFUSED, False),
    ("05", "Undeliverable as Addressed", S.EXCEPTION, U.ADDRESS_ISSUE, True),
    ("11", "Dead Letter", S.LOST, U.UNDELIVERABLE, False),
    ("09", "Return to Sender", S.RETURNING_TO_SENDER, U.RETURN_TO_SENDER, False),
    ("21", "No Such Number", S.RETURNING_TO_SENDER, U.ADDRESS_ISSUE, False),
    ("22", "Insufficient Address", S.RETURNING_TO_SENDER, U.ADDRESS_ISSUE, False),
    ("23", "Moved, Left No Address", S.RETURNING_TO_SENDER, U.RECIPIENT_MOVED, False),
    ("24", "Forward Expired", S.RETURNING_TO_SENDER, U.RECIPIENT_MOVED, False),
    ("25", "Addressee Unknown", S.RETURNING_TO_SENDER, U.ADDRESS_ISSUE, False),
    ("26", "Vacant", S.RETURNING_TO_SENDER, U.ADDRESS_ISSUE, False),
    ("27", "Unclaimed", S.RETURNING_TO_SENDER, U.RETURN_TO_SENDER, False),
    ("28", "Deceased", S.RETURNING_TO_SENDER, U.UNDELIVERABLE, False),
    ("29", "Other", S.RETURNING_TO_SENDER, U.RETURN_TO_SENDER, False),
    ("31", "Not Picked Up", S.RETURNING_TO_SENDER, U.RETURN_TO_SENDER, False),
    ("44", "Customer Recall", S.RETURNING_TO_SENDER, U.RETURN_TO_SENDER, False),
]  # fmt: skip


def load(name: str) -> dict[str, Any]:
    body: dict[str, Any] = json.loads((FIXTURES / name).read_text(encoding="utf-8"))
    return body


def events_of(name: str) -> list[ShipmentStatusEvent]:
    return normalize_fixture("usps", FIXTURES / name)


def by_code(events: list[ShipmentStatusEvent], code: str) -> ShipmentStatusEvent:
    (event,) = [e for e in events if e.raw_code == code]
    return event


# --- golden fixtures ---------------------------------------------------------------------------


@pytest.mark.parametrize("fixture", ALL_FIXTURES, ids=lambda p: p.stem)
def test_golden(fixture: Path) -> None:
    check_golden("usps", fixture)


def test_registry_points_at_this_adapter() -> None:
    assert getattr(parser_for("usps"), "__wrapped__", None) is usps.parse
    assert usps.SLUG == "usps"


def test_table_holds_exactly_the_documented_codes() -> None:
    assert set(EVENT_CODES.codes()) == {c[0] for c in DOCUMENTED_CODES}
    assert len(EVENT_CODES) == len(DOCUMENTED_CODES) == 59


def test_fixtures_cover_every_code_in_the_table() -> None:
    seen = {e.raw_code for fixture in ALL_FIXTURES for e in events_of(fixture.name)}
    assert set(EVENT_CODES.codes()) - seen == set()


@pytest.mark.parametrize(
    ("code", "label", "status", "substatus", "action"), DOCUMENTED_CODES, ids=lambda v: str(v)
)
def test_event_code_table(
    code: str, label: str, status: ShipmentStatus, substatus: Substatus | None, action: bool
) -> None:
    meaning, known = meaning_for(code, label)
    assert known
    assert (meaning.status, meaning.substatus, meaning.action_required) == (
        status,
        substatus,
        action,
    )


@pytest.mark.parametrize(
    ("code", "reason"),
    [
        ("08", R.CARRIER),
        ("15", R.RETAILER),  # the mailer sent it to the wrong facility
        ("DX", R.CARRIER),
        ("04", R.CONSIGNEE),
        ("23", R.CONSIGNEE),
        ("27", R.CONSIGNEE),
        ("44", R.RETAILER),
        ("01", None),
    ],
)
def test_reasons(code: str, reason: Reason | None) -> None:
    assert meaning_for(code)[0].reason is reason


@pytest.mark.parametrize(
    ("event_type", "signer", "status", "substatus"),
    [
        ("Delivered", False, S.DELIVERED, U.DELIVERED),
        ("Delivered, In/At Mailbox", False, S.DELIVERED, U.DELIVERED_TO_MAILBOX),
        ("Delivered, Front Door/Porch", False, S.DELIVERED, U.DELIVERED_TO_SAFE_PLACE),
        ("Delivered, Left with Individual", True, S.DELIVERED, U.SIGNED),
        ("Delivered, To Original Sender", False, S.RETURNED_TO_SENDER, U.RETURNED_TO_SENDER),
        (None, False, S.DELIVERED, U.DELIVERED),
    ],
)
def test_delivery_details(
    event_type: str | None, signer: bool, status: ShipmentStatus, substatus: Substatus
) -> None:
    meaning, known = meaning_for("01", event_type, signer)
    assert known
    assert (meaning.status, meaning.substatus) == (status, substatus)


def test_unmapped_codes_are_flagged_not_guessed() -> None:
    meaning, known = meaning_for("H0", "Delivery Attempted")
    assert (meaning.status, meaning.substatus, known) == (S.IN_TRANSIT, U.UNKNOWN_CODE, False)
    meaning, known = meaning_for("of")  # codes are case-sensitive as published
    assert known is False
    event = by_code(events_of("international_inbound_local_times.json"), "H0")
    assert (event.status, event.substatus) == (S.IN_TRANSIT, U.UNKNOWN_CODE)


# --- what the fixtures show ---------------------------------------------------------------------


def test_out_of_order_history_with_a_repeated_scan() -> None:
    events = events_of("priority_mail_delivered_out_of_order.json")
    assert len(load("priority_mail_delivered_out_of_order.json")["trackingEvents"]) == 10
    assert len(events) == 9  # the repeated Las Vegas scan is one event
    assert [e.occurred_at for e in events] == sorted(e.occurred_at for e in events)
    assert [e.raw_code for e in events] == ["GX", "03", "10", "EF", "10", "07", "PC", "OF", "01"]
    label = events[0]
    # "-8:00" (Pacific standard time before 9 March) and "-04:00" are both read
    assert label.occurred_at == datetime(2025, 3, 5, 11, 14, tzinfo=timezone(timedelta(hours=-8)))
    delivered = events[-1]
    assert delivered.occurred_at.utcoffset() == timedelta(hours=-4)
    assert (delivered.status, delivered.substatus) == (S.DELIVERED, U.DELIVERED_TO_MAILBOX)
    assert delivered.location is not None and delivered.location.country is None  # "" domestic
    assert delivered.estimated_delivery is None  # delivered: no estimate
    assert delivered.key == "usps:9405511899223197428490"


def test_estimate_goes_on_the_latest_moving_event() -> None:
    events = events_of("ground_advantage_partner_in_transit.json")
    assert [e.estimated_delivery is not None for e in events] == [False] * 11 + [True]
    estimate = events[-1].estimated_delivery
    assert estimate is not None and estimate.earliest == date(2025, 6, 9)
    assert estimate.source is EstimateSource.CARRIER
    missent = by_code(events, "08")  # GMTOffset without GMTTimestamp
    assert missent.occurred_at == datetime(2025, 6, 5, 20, 0, tzinfo=UTC)
    assert missent.occurred_at.utcoffset() == timedelta(hours=-6)
    international = events_of("international_inbound_local_times.json")
    predicted = international[-1].estimated_delivery
    assert predicted is not None and predicted.earliest == date(2026, 1, 17)


def test_local_times_without_gmt_follow_the_policy() -> None:
    events = events_of("international_inbound_local_times.json")
    accepted = by_code(events, "03")
    # France has one zone: 10:15 local in January is 09:15 UTC
    assert accepted.occurred_at == datetime(2026, 1, 12, 9, 15, tzinfo=UTC)
    assert accepted.location is not None
    assert (accepted.location.city, accepted.location.country) == ("SAINT-ÉTIENNE", "FR")
    departed = by_code(events, "EF")
    assert departed.occurred_at.utcoffset() == timedelta(hours=1)
    assert departed.location is not None and departed.location.country == "FR"  # "FRANCE"
    # a domestic scan with neither GMT field nor country: placed by its city (Brooklyn, New York)
    domestic = by_code(events, "OF")
    assert domestic.occurred_at == datetime(2026, 1, 17, 8, 2, tzinfo=ZoneInfo("America/New_York"))
    assert domestic.time_basis is TimeBasis.CITY


def test_returns() -> None:
    unclaimed = events_of("unclaimed_returned_to_sender.json")
    assert [e.status for e in unclaimed[-4:]] == [
        S.RETURNING_TO_SENDER,
        S.RETURNING_TO_SENDER,
        S.RETURNING_TO_SENDER,  # a processing scan of the return travelling back
        S.RETURNED_TO_SENDER,
    ]
    assert unclaimed[-2].substatus is U.PROCESSED_AT_FACILITY
    refused = events_of("refused_then_delivered_back.json")
    assert (refused[1].status, refused[1].reason) == (S.EXCEPTION, R.CONSIGNEE)
    assert (refused[-1].raw_code, refused[-1].status) == ("01", S.RETURNED_TO_SENDER)
    # a delivery before any return scan stays a delivery
    body = load("refused_then_delivered_back.json")
    body["trackingEvents"] = [e for e in body["trackingEvents"] if e["eventCode"] != "09"]
    body["trackingEvents"][0]["eventTimestamp"] = "2025-05-06T10:05:00"
    body["trackingEvents"][0]["GMTTimestamp"] = "2025-05-06T15:05:00.000Z"
    statuses = [cp.meaning.status for cp in parse(body)]
    assert S.DELIVERED in statuses


def test_pickups_and_signers_keep_no_personal_data() -> None:
    events = events_of("certified_return_receipt_picked_up.json")
    assert events[-1].status is S.DELIVERED
    assert events[-1].substatus is U.PICKED_UP_BY_CUSTOMER
    assert "J DOE" not in "".join(e.model_dump_json() for e in events)
    agent = events_of("attempts_then_picked_up_by_agent.json")
    assert "ACME" not in agent[-1].model_dump_json()
    signed = load("priority_mail_delivered_out_of_order.json")
    delivery = next(e for e in signed["trackingEvents"] if e["eventCode"] == "01")
    delivery["name"] = "R SMITH"
    last = normalize(raw_event("usps", json.dumps(signed)))[-1]
    assert last.substatus is U.SIGNED
    assert "SMITH" not in last.model_dump_json()


def test_empty_history_yields_nothing() -> None:
    assert events_of("pre_shipment_no_events.json") == []


def test_same_body_twice_gives_the_same_ids() -> None:
    for fixture in ALL_FIXTURES:
        first = events_of(fixture.name)
        second = events_of(fixture.name)
        assert [e.event_id for e in first] == [e.event_id for e in second]


def test_same_history_in_another_order_gives_the_same_ids() -> None:
    body = load("priority_mail_delivered_out_of_order.json")
    reordered = copy.deepcopy(body)
    reordered["trackingEvents"].reverse()
    first = normalize(raw_event("usps", json.dumps(body)))
    second = normalize(raw_event("usps", json.dumps(reordered)))
    assert [e.event_id for e in first] == [e.event_id for e in second]


# --- bad bodies ---------------------------------------------------------------------------------


def _mutated(change: Callable[[dict[str, Any]], object]) -> dict[str, Any]:
    body = load("refused_then_delivered_back.json")
    change(body)
    return body


def _event(index: int, **fields: Any) -> Callable[[dict[str, Any]], object]:
    return lambda b: b["trackingEvents"][index].update(fields)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (["9205590164917312751089"], "$: expected a USPS tracking details object"),
        (
            {"apiVersion": "v3", "error": {"code": "404", "message": "Not found"}},
            "$.error: USPS error response: 404 Not found",
        ),
        (_mutated(lambda b: b.pop("trackingNumber")), "$.trackingNumber: missing"),
        (_mutated(lambda b: b.update(trackingNumber=9205)), "$.trackingNumber: expected"),
        (_mutated(lambda b: b.update(trackingNumber="9" * 65)), "$.trackingNumber: longer"),
        (_mutated(lambda b: b.pop("trackingEvents")), "$.trackingEvents: missing"),
        (_mutated(lambda b: b.update(trackingEvents={})), "$.trackingEvents: expected a list"),
        (
            _mutated(lambda b: b["trackingEvents"].append("DELIVERED")),
            "$.trackingEvents[4]: expected a TrackingEvent object",
        ),
        (_mutated(_event(1, eventCode=None)), "$.trackingEvents[1].eventCode: missing"),
        (_mutated(_event(1, eventCode=4)), "$.trackingEvents[1].eventCode: expected a string"),
        (_mutated(_event(2, eventCity=["DENVER"])), "$.trackingEvents[2].eventCity: expected"),
        (
            _mutated(_event(0, GMTTimestamp="yesterday")),
            "$.trackingEvents[0].GMTTimestamp: not an ISO 8601 timestamp",
        ),
        (
            _mutated(_event(0, GMTTimestamp=None, eventTimestamp="05/09/2025")),
            "$.trackingEvents[0].eventTimestamp: not an ISO 8601 timestamp",
        ),
        (
            _mutated(_event(0, GMTTimestamp="", eventTimestamp="")),
            "$.trackingEvents[0].eventTimestamp: missing",
        ),
        (_mutated(_event(3, GMTOffset="CST")), "$.trackingEvents[3].GMTOffset: expected"),
        (_mutated(_event(3, GMTOffset="+16:00")), "$.trackingEvents[3].GMTOffset: not a UTC"),
        (
            _mutated(_event(3, GMTOffset=None, eventTimestamp="2025-05-07T07:55:00")),
            "$.trackingEvents[3].eventTimestamp: 17:00:00 away from GMTTimestamp",
        ),
        (
            _mutated(lambda b: b.update(expectedDeliveryTimeStamp="soon")),
            "$.expectedDeliveryTimeStamp: not a date",
        ),
    ],
)
def test_bad_bodies_name_the_path(body: Any, message: str) -> None:
    with pytest.raises(AdapterError) as info:
        parse(body)
    assert message in str(info.value)


def test_a_gmt_time_written_on_the_local_date_is_moved_to_its_day_and_counted() -> None:
    # Recorded (fixtures/usps/SOURCES.md): local 2024-11-25T18:31, "GMT" 2024-11-25T00:31Z.
    body = load("public_omniship_ground_advantage_gmt_date_slips.json")
    parsed = parse(body)
    times = {cp.code: cp.occurred_at.isoformat() for cp in parsed}
    assert times["SF"] == "2024-11-25T18:31:21-06:00"
    assert times["MA"] == "2024-11-23T12:00:00-06:00"  # a midnight without GMT: the day only
    assert getattr(parsed, "degraded", ()) == ("trackingEvents[].GMTTimestamp",)
    assert (
        getattr(parse(load("public_karrio_ground_advantage_parcel_locker.json")), "degraded", ())
        == ()
    )


def test_status_not_yet_available_is_no_news_and_other_errors_are_refused() -> None:
    assert list(parse(load("public_omniship_status_not_yet_available.json"))) == []
    with pytest.raises(AdapterError, match="USPS error response: 401"):
        parse({"error": {"code": "401", "message": "Unauthorized"}})
