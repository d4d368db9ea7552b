"""UPS Track Alert events: golden fixtures, code tables, times, bad bodies, determinism."""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest

from suivi_normalizer.domain.normalize import normalize, normalize_new
from suivi_normalizer.providers import AdapterError, parser_for, ups
from suivi_normalizer.providers.ups import DESCRIPTIONS, TYPES, meaning_for, parse
from suivi_normalizer.testing.golden import check_golden, normalize_fixture, raw_event
from suivi_schemas import (
    EstimateSource,
    Reason,
    ShipmentStatus,
    ShipmentStatusEvent,
    Substatus,
    TimeBasis,
)

FIXTURES = Path(__file__).parents[2] / "fixtures" / "ups"
ALL_FIXTURES = sorted(FIXTURES.glob("*.json"))

S = ShipmentStatus
U = Substatus

# Status types: Track Alert's table (D, I, M, MV, U, X) and the Tracking API's (adds P, RS,
# DO, DD, W, NA, O), copied by hand from UPSTrackAlert*.yaml and the Tracking API reference.
DOCUMENTED_TYPES = {"D", "I", "M", "MV", "U", "X", "P", "RS", "DO", "DD", "W", "NA", "O"}
# Processing details status codes (descriptionCode) from UPS's status code list and the Track
# Alert examples.
DOCUMENTED_DESCRIPTION_CODES = {
    "003", "005", "007", "011", "012", "013", "016", "017", "021", "022", "025", "027", "028",
    "029", "032", "038", "040", "044", "046", "047", "048", "051", "055", "058", "071",
}  # fmt: skip


def load(name: str) -> dict[str, Any]:
    body: dict[str, Any] = json.loads((FIXTURES / name).read_text(encoding="utf-8"))
    return body


def events_of(body: Any) -> list[ShipmentStatusEvent]:
    return normalize(raw_event("ups", json.dumps(body, ensure_ascii=False)))


def one(name: str) -> ShipmentStatusEvent:
    events = normalize_fixture("ups", FIXTURES / name)
    assert len(events) == 1
    return events[0]


# --- golden fixtures ---------------------------------------------------------------------------


@pytest.mark.parametrize("fixture", ALL_FIXTURES, ids=lambda p: p.stem)
def test_golden(fixture: Path) -> None:
    check_golden("ups", fixture)


def test_registry_points_at_this_adapter() -> None:
    assert getattr(parser_for("ups"), "__wrapped__", None) is ups.parse
    assert ups.SLUG == "ups"


def test_tables_hold_exactly_the_documented_codes() -> None:
    assert set(TYPES.codes()) == DOCUMENTED_TYPES
    assert set(DESCRIPTIONS.codes()) == DOCUMENTED_DESCRIPTION_CODES


def test_fixtures_cover_every_code_in_the_tables() -> None:
    types: set[str] = set()
    descriptions: set[str] = set()
    for fixture in ALL_FIXTURES:
        for event in normalize_fixture("ups", fixture):
            assert event.raw_code is not None
            parts = event.raw_code.split("/")
            types.add(parts[0])
            if len(parts) == 3:
                descriptions.add(parts[2])
    assert set(TYPES.codes()) - types == set()
    assert set(DESCRIPTIONS.codes()) - descriptions == set()


# --- code tables, written from the docs independently of the module ---------------------------

TYPE_CASES = [
    ("D", S.DELIVERED, U.DELIVERED),
    ("I", S.IN_TRANSIT, U.IN_TRANSIT),
    ("M", S.INFO_RECEIVED, U.LABEL_CREATED),
    ("MV", S.CANCELLED, U.CANCELLED),
    ("U", S.IN_TRANSIT, U.DELIVERY_RESCHEDULED),
    ("X", S.EXCEPTION, None),
    ("P", S.IN_TRANSIT, U.PICKED_UP),
    ("RS", S.RETURNING_TO_SENDER, U.RETURN_TO_SENDER),
    ("DO", S.IN_TRANSIT, U.ARRIVED_AT_FACILITY),
    ("DD", S.IN_TRANSIT, U.ARRIVED_AT_FACILITY),
    ("W", S.IN_TRANSIT, U.HELD_BY_CARRIER),
    ("NA", S.PENDING, U.NOT_FOUND),
    ("O", S.OUT_FOR_DELIVERY, U.OUT_FOR_DELIVERY),
]

# (descriptionCode, UPS's text, status, substatus, action_required)
DESCRIPTION_CASES = [
    ("003", "Shipment Ready for UPS", S.INFO_RECEIVED, U.LABEL_CREATED, False),
    ("005", "In Transit / On the Way", S.IN_TRANSIT, U.IN_TRANSIT, False),
    ("007", "Shipment Canceled", S.CANCELLED, U.CANCELLED, False),
    ("011", "Delivered", S.DELIVERED, U.DELIVERED, False),
    ("012", "Clearance in Progress", S.IN_TRANSIT, U.CUSTOMS_PROCESSING, False),
    ("013", "Exception / Update", S.EXCEPTION, None, False),
    ("016", "Held in Warehouse", S.EXCEPTION, U.HELD_BY_CARRIER, False),
    ("017", "Held for Customer Pickup", S.AVAILABLE_FOR_PICKUP, U.ARRIVED_AT_PICKUP_POINT, True),
    ("021", "Out for Delivery", S.OUT_FOR_DELIVERY, U.OUT_FOR_DELIVERY, False),
    ("022", "First Attempt Made", S.DELIVERY_ATTEMPT_FAILED, U.RECIPIENT_UNAVAILABLE, True),
    ("025", "Transferred to Local Post Office", S.IN_TRANSIT, U.TRANSFERRED_TO_CARRIER, False),
    ("027", "Delivery Address Change Requested", S.IN_TRANSIT, U.FORWARDED, False),
    ("028", "Delivery Address Changed", S.IN_TRANSIT, U.FORWARDED, False),
    ("029", "Address Information Required", S.EXCEPTION, U.ADDRESS_ISSUE, True),
    ("032", "Adverse Weather May Cause Delay", S.IN_TRANSIT, U.WEATHER_DELAY, False),
    ("038", "Picked Up", S.IN_TRANSIT, U.PICKED_UP, False),
    ("040", "At UPS Access Point, awaiting pickup", S.AVAILABLE_FOR_PICKUP,
     U.ARRIVED_AT_PICKUP_POINT, True),
    ("044", "On Its Way to UPS", S.INFO_RECEIVED, U.AWAITING_PICKUP, False),
    ("046", "Perishable placed in climate control", S.IN_TRANSIT, U.CARRIER_DELAY, False),
    ("047", "Removed from climate control", S.IN_TRANSIT, U.IN_TRANSIT, False),
    ("048", "Delay", S.IN_TRANSIT, U.CARRIER_DELAY, False),
    ("051", "Emergency Situation or Severe Weather", S.IN_TRANSIT, U.WEATHER_DELAY, False),
    ("055", "Rescheduled Delivery", S.IN_TRANSIT, U.DELIVERY_RESCHEDULED, False),
    ("058", "Clearance Information Required", S.EXCEPTION, U.CUSTOMS_DOCUMENTS_REQUIRED, True),
    ("071", "Preparing for Delivery Today", S.IN_TRANSIT, U.DELIVERY_SCHEDULED, False),
]  # fmt: skip


def test_cases_cover_every_documented_code() -> None:
    assert {c[0] for c in TYPE_CASES} == DOCUMENTED_TYPES
    assert {c[0] for c in DESCRIPTION_CASES} == DOCUMENTED_DESCRIPTION_CODES


@pytest.mark.parametrize(("kind", "status", "substatus"), TYPE_CASES)
def test_type_table(kind: str, status: ShipmentStatus, substatus: Substatus | None) -> None:
    meaning, known = meaning_for(kind, None, delivered=True)
    assert known
    assert (meaning.status, meaning.substatus) == (status, substatus)


@pytest.mark.parametrize(
    ("code", "label", "status", "substatus", "action"), DESCRIPTION_CASES, ids=lambda v: str(v)
)
def test_description_code_table(
    code: str, label: str, status: ShipmentStatus, substatus: Substatus | None, action: bool
) -> None:
    for kind in ("I", "X", "D", "U"):
        meaning, known = meaning_for(kind, code)
        assert known, label
        assert (meaning.status, meaning.substatus, meaning.action_required) == (
            status,
            substatus,
            action,
        )


@pytest.mark.parametrize(
    ("kind", "code", "delivered", "status", "substatus"),
    [
        # D covers "loaded on delivery vehicle, out for delivery, delivered" (Track Alert FAQ)
        ("D", None, False, S.OUT_FOR_DELIVERY, U.OUT_FOR_DELIVERY),
        ("D", None, True, S.DELIVERED, U.DELIVERED),
        ("D", "021", True, S.OUT_FOR_DELIVERY, U.OUT_FOR_DELIVERY),
        # Delivered to an Access Point is not delivered to the shopper
        ("D", "040", True, S.AVAILABLE_FOR_PICKUP, U.ARRIVED_AT_PICKUP_POINT),
        # manifest, void and not-available types are decisive
        ("M", "013", False, S.INFO_RECEIVED, U.LABEL_CREATED),
        ("MV", "005", False, S.CANCELLED, U.CANCELLED),
        ("NA", "099", False, S.PENDING, U.NOT_FOUND),
        # returned to shipper: on its way back, or back when the code says delivered
        ("RS", None, False, S.RETURNING_TO_SENDER, U.RETURN_TO_SENDER),
        ("RS", "005", False, S.RETURNING_TO_SENDER, U.RETURN_TO_SENDER),
        ("RS", "011", True, S.RETURNED_TO_SENDER, U.RETURNED_TO_SENDER),
        # lower-case and numeric-looking input
        ("x", "048", False, S.IN_TRANSIT, U.CARRIER_DELAY),
    ],
)
def test_type_and_description_combine(
    kind: str,
    code: str | None,
    delivered: bool,
    status: ShipmentStatus,
    substatus: Substatus | None,
) -> None:
    meaning, known = meaning_for(kind, code, delivered=delivered)
    assert known
    assert (meaning.status, meaning.substatus) == (status, substatus)


def test_unmapped_codes_are_flagged_not_guessed() -> None:
    meaning, known = meaning_for("X", "099")
    assert (meaning.status, meaning.substatus, known) == (S.EXCEPTION, U.UNKNOWN_CODE, False)
    meaning, known = meaning_for("D", "099", delivered=True)
    assert (meaning.status, meaning.substatus, known) == (S.DELIVERED, U.UNKNOWN_CODE, False)
    meaning, known = meaning_for("Q", "011")
    assert (meaning.status, meaning.substatus, known) == (S.IN_TRANSIT, U.UNKNOWN_CODE, False)
    assert one("unknown_description_code.json").raw_code == "X/ZZ/099"
    unknown_type = one("unknown_status_type.json")
    assert (unknown_type.raw_code, unknown_type.substatus) == ("Q/AB", U.UNKNOWN_CODE)


# --- what the fixtures show ---------------------------------------------------------------------


def test_documented_examples_keep_the_scan_offset() -> None:
    hickory = one("spec_2_ups_has_your_package.json")
    # 21:29:01 local, 01:29:01 GMT the next day: Eastern daylight time
    assert hickory.occurred_at == datetime(2024, 4, 23, 1, 29, 1, tzinfo=UTC)
    assert hickory.occurred_at.utcoffset() == timedelta(hours=-4)
    assert hickory.tracking_number == "1ZABCXYZ0112346789"
    assert hickory.location is not None and hickory.location.postal_code is None  # '' dropped
    assert hickory.estimated_delivery is not None
    assert hickory.estimated_delivery.earliest == date(2024, 4, 23)
    assert hickory.estimated_delivery.source is EstimateSource.CARRIER
    # UPS's own manifest example is 5 hours ahead of GMT: kept as written, not "fixed"
    manifest = one("spec_1_manifest.json")
    assert manifest.occurred_at.utcoffset() == timedelta(hours=5)
    assert manifest.tracking_number == "1ZABCXYZ0112346789"  # leading space in the example
    assert manifest.location is not None and manifest.location.country == "US"
    delivered = one("spec_7_delivered.json")
    assert (delivered.status, delivered.substatus) == (S.DELIVERED, U.DELIVERED)
    assert delivered.estimated_delivery is None


def test_gmt_offset_field_wins_and_local_time_alone_follows_the_policy() -> None:
    ofd = one("v2_out_for_delivery_gmt_offset.json")
    assert ofd.occurred_at == datetime(2024, 4, 23, 9, 15, 19, tzinfo=timezone(-timedelta(hours=4)))
    phoenix = one("v2_gmt_offset_without_gmt_time.json")
    assert phoenix.occurred_at == datetime(2024, 7, 16, 12, 22, 33, tzinfo=UTC)
    assert phoenix.occurred_at.utcoffset() == timedelta(hours=-7)
    # France has one zone: 22:45 local in March is 21:45 UTC
    france = one("v2_local_time_only_france.json")
    assert france.occurred_at == datetime(2024, 3, 11, 21, 45, 10, tzinfo=UTC)
    assert france.location is not None and france.location.city == "Saint-Étienne"
    # the United States has many zones and no GMT field was sent: the city places it
    louisville = one("v2_local_time_only_united_states.json")
    eastern = timezone(-timedelta(hours=4))  # Louisville, KY in July
    assert louisville.occurred_at == datetime(2024, 7, 15, 3, 47, 12, tzinfo=eastern)
    assert louisville.time_basis is TimeBasis.CITY
    # Montréal on the day daylight time starts: local minus GMT says -04:00
    montreal = one("v2_clearance_information_required.json")
    assert montreal.occurred_at.utcoffset() == timedelta(hours=-4)
    assert montreal.location is not None and montreal.location.city == "Montréal"
    assert (montreal.action_required, montreal.reason) == (True, Reason.CUSTOMS)


def test_delivery_with_signature_keeps_no_name() -> None:
    event = one("v2_delivered_received_by.json")
    assert (event.status, event.substatus) == (S.DELIVERED, U.SIGNED)
    assert event.location is not None and event.location.city == "MÜNCHEN"
    assert "MÜLLER" not in event.model_dump_json()
    ofd = one("v2_delivery_type_without_description_code.json")
    assert (ofd.raw_code, ofd.status) == ("D/OT", S.OUT_FOR_DELIVERY)


def test_access_point_and_returns() -> None:
    access_point = one("v2_access_point_awaiting_pickup.json")
    assert (access_point.status, access_point.action_required) == (S.AVAILABLE_FOR_PICKUP, True)
    assert access_point.raw_message is not None and "™" in access_point.raw_message
    assert access_point.estimated_delivery is not None
    assert one("rs_returning_to_shipper.json").status is S.RETURNING_TO_SENDER
    returned = one("rs_returned_to_shipper_delivered.json")
    assert (returned.status, returned.raw_code) == (S.RETURNED_TO_SENDER, "RS/FS/011")
    assert one("na_not_available.json").raw_code == "NA"


# --- one event per POST: duplicates and out-of-order arrival ------------------------------------


def test_a_ups_error_answer_is_refused_with_upss_words() -> None:
    # Recorded by karrio (its UPS test_tracking.py; fixtures/ups/SOURCES.md)
    body = {"response": {"errors": [{"code": "TV1002", "message": "Invalid inquiry number"}]}}
    with pytest.raises(AdapterError, match=r"TV1002 Invalid inquiry number"):
        parse(body)


def test_same_body_twice_gives_the_same_ids() -> None:
    for fixture in ALL_FIXTURES:
        first = normalize_fixture("ups", fixture)
        second = normalize_fixture("ups", fixture)
        assert [e.event_id for e in first] == [e.event_id for e in second]


def test_events_arriving_out_of_order_or_twice_keep_their_ids() -> None:
    story = [
        load(f"spec_{n}.json")
        for n in (
            "1_manifest",
            "2_ups_has_your_package",
            "3_departure",
            "4_preparing_for_delivery",
            "5_loaded_on_vehicle",
        )
    ]
    ids = [events_of(body)[0].event_id for body in story]
    assert len(set(ids)) == len(ids)
    shuffled = story + story[:2]
    random.Random(7).shuffle(shuffled)
    seen: set[UUID] = set()
    published: list[UUID] = []
    for body in shuffled:
        events, _skipped = normalize_new(raw_event("ups", json.dumps(body)), seen)
        seen.update(e.event_id for e in events)
        published.extend(e.event_id for e in events)
    assert sorted(published, key=str) == sorted(ids, key=str)  # each once, whatever the order
    # the same instant seen with another offset is the same event
    body = load("spec_2_ups_has_your_package.json")
    body.update(gmtOffset="-04.00")
    assert events_of(body)[0].event_id == ids[1]


# --- bad bodies ---------------------------------------------------------------------------------


def _mutated(change: Callable[[dict[str, Any]], object]) -> dict[str, Any]:
    body = load("spec_6_out_for_delivery.json")
    change(body)
    return body


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ([{"trackingNumber": "1Z"}], "$: expected a Track Alert event object"),
        (_mutated(lambda b: b.pop("trackingNumber")), "$.trackingNumber: missing"),
        (_mutated(lambda b: b.update(trackingNumber="  ")), "$.trackingNumber: expected"),
        (_mutated(lambda b: b.update(trackingNumber="1Z" * 40)), "$.trackingNumber: longer"),
        (_mutated(lambda b: b.pop("activityStatus")), "$.activityStatus: missing"),
        (_mutated(lambda b: b.update(activityStatus="OT")), "$.activityStatus: expected"),
        (_mutated(lambda b: b["activityStatus"].pop("type")), "$.activityStatus.type: missing"),
        (_mutated(lambda b: b["activityStatus"].update(type=4)), "$.activityStatus.type: expected"),
        (
            _mutated(lambda b: b["activityStatus"].update(descriptionCode=["021"])),
            "$.activityStatus.descriptionCode: expected a code",
        ),
        (
            _mutated(lambda b: b.update(activityLocation="Charlotte")),
            "$.activityLocation: expected",
        ),
        (
            _mutated(lambda b: b["activityLocation"].update(city=7)),
            "$.activityLocation.city: expected a string",
        ),
        (
            _mutated(lambda b: b.update(localActivityDate="2024-04-23")),
            "$.localActivityDate: expected YYYYMMDD",
        ),
        (
            _mutated(lambda b: b.update(localActivityTime="")),
            "$.localActivityTime: expected HHMMSS",
        ),
        (
            _mutated(lambda b: b.update(localActivityDate="20240231")),
            "$.localActivityDate: not a date and time",
        ),
        (
            _mutated(lambda b: b.update(gmtActivityTime="1315")),
            "$.gmtActivityTime: expected HHMMSS",
        ),
        (_mutated(lambda b: b.update(gmtOffset="EDT")), "$.gmtOffset: expected a UTC offset"),
        (_mutated(lambda b: b.update(gmtOffset="+15.00")), "$.gmtOffset: not a UTC offset"),
        (
            _mutated(lambda b: b.update(gmtActivityDate="20240425")),
            "$.localActivityDate: local and GMT times are",
        ),
        (
            _mutated(
                lambda b: b.update(
                    localActivityDate="",
                    localActivityTime="",
                    gmtActivityDate="",
                    gmtActivityTime="",
                )
            ),
            "$.localActivityDate: missing",
        ),
        (
            _mutated(lambda b: b.update(scheduledDeliveryDate="tomorrow")),
            "$.scheduledDeliveryDate: expected YYYYMMDD",
        ),
        (
            _mutated(lambda b: b.update(scheduledDeliveryDate="20241399")),
            "$.scheduledDeliveryDate: not a date",
        ),
        (_mutated(lambda b: b.update(actualDeliveryDate=20240423)), "$.actualDeliveryDate"),
    ],
)
def test_bad_bodies_name_the_path(body: Any, message: str) -> None:
    with pytest.raises(AdapterError) as info:
        parse(body)
    assert message in str(info.value)


def test_numeric_description_code_is_read_as_written_in_the_yaml_examples() -> None:
    body = load("spec_6_out_for_delivery.json")
    body["activityStatus"]["descriptionCode"] = 21
    (checkpoint,) = parse(body)
    assert (checkpoint.code, checkpoint.meaning.status) == ("I/OT/021", S.OUT_FOR_DELIVERY)


def test_gmt_time_alone_is_utc() -> None:
    body = load("spec_6_out_for_delivery.json")
    body.update(localActivityDate="", localActivityTime="")
    (checkpoint,) = parse(body)
    assert checkpoint.occurred_at == datetime(2024, 4, 23, 13, 15, 19, tzinfo=UTC)
    assert checkpoint.occurred_at.utcoffset() == timedelta(0)


# --- Track API answers (polled by the tracker) -------------------------------------------------


def _track_api(activity_status: dict[str, Any], delivery_dates: list[dict[str, str]]) -> Any:
    activity = {"status": activity_status, "date": "20260310", "time": "143211",
                "gmtDate": "20260310", "gmtTime": "20:32:11", "gmtOffset": "-06:00",
                "location": {"address": {"city": "DENVER", "countryCode": "US"}}}  # fmt: skip
    package = {"trackingNumber": "1Z23E0A90312345678", "deliveryDate": delivery_dates,
               "activity": [activity]}  # fmt: skip
    return {"trackResponse": {"shipment": [{"package": [package]}]}}


def test_track_api_delivery_without_status_code_needs_the_del_date() -> None:
    d = {"type": "D", "code": "FS", "description": "DELIVERED"}
    delivered = events_of(_track_api(d, [{"type": "DEL", "date": "20260310"}]))
    not_yet = events_of(_track_api(d, [{"type": "SDD", "date": "20260311"}]))
    assert [e.status for e in delivered] == [S.DELIVERED]
    assert [e.status for e in not_yet] == [S.OUT_FOR_DELIVERY]
    assert not_yet[0].estimated_delivery is not None
    assert str(not_yet[0].estimated_delivery.earliest) == "2026-03-11"


def test_track_api_times_and_places_are_read_like_track_alert() -> None:
    (event,) = events_of(_track_api({"type": "I", "code": "OT", "statusCode": "021"}, []))
    assert event.occurred_at.isoformat() == "2026-03-10T14:32:11-06:00"
    assert event.raw_code == "I/OT/021"
    assert event.location is not None and event.location.country == "US"


def test_track_api_not_found_yields_nothing() -> None:
    assert events_of(load("track_api_not_found_warning.json")) == []
