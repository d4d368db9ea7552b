"""FedEx Track API / tracking webhook bodies: golden fixtures, the code table, bad bodies."""

from __future__ import annotations

import copy
import json
import random
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from suivi_normalizer.domain.normalize import normalize
from suivi_normalizer.providers import AdapterError, fedex, parser_for
from suivi_normalizer.providers.base import Parsed
from suivi_normalizer.testing.golden import check_golden, normalize_fixture, raw_event
from suivi_schemas import (
    EstimateSource,
    Reason,
    ShipmentStatus,
    ShipmentStatusEvent,
    Substatus,
    TimeBasis,
)

FIXTURES = Path(__file__).parents[2] / "fixtures" / "fedex"
FIXTURE_FILES = sorted(FIXTURES.glob("*.json"))

S = ShipmentStatus
U = Substatus

# Written by hand from FedEx's API Reference guide, "Tracking Status Codes" and "Status Code and
# Statuses for Webhook Tracking Events" (developer.fedex.com/api/en-us/guides/api-reference.html):
# code → (FedEx's wording, canonical status, substatus, action required). Kept apart from the
# module's table on purpose.
DOCUMENTED: dict[str, tuple[str, ShipmentStatus, Substatus | None, bool]] = {
    "AA": ("At Airport", S.IN_TRANSIT, U.ARRIVED_AT_FACILITY, False),
    "AC": ("At Canada Post facility", S.IN_TRANSIT, U.TRANSFERRED_TO_CARRIER, False),
    "AD": ("At Delivery", S.OUT_FOR_DELIVERY, U.OUT_FOR_DELIVERY, False),
    "AE": ("Shipment arriving early", S.IN_TRANSIT, U.DELIVERY_RESCHEDULED, False),
    "AF": ("At local FedEx Facility", S.IN_TRANSIT, U.ARRIVED_AT_FACILITY, False),
    "AO": ("Shipment arriving On-time", S.IN_TRANSIT, U.DELIVERY_SCHEDULED, False),
    "AP": ("At Pickup", S.INFO_RECEIVED, U.AWAITING_PICKUP, False),
    "AR": ("Arrived at FedEx location", S.IN_TRANSIT, U.ARRIVED_AT_FACILITY, False),
    "AS": ("Address Corrected", S.IN_TRANSIT, U.ADDRESS_ISSUE, False),
    "AX": ("At USPS facility", S.IN_TRANSIT, U.TRANSFERRED_TO_CARRIER, False),
    "CA": ("Shipment Cancelled", S.CANCELLED, U.CANCELLED, False),
    "CC": ("Cleared Customs", S.IN_TRANSIT, U.CUSTOMS_CLEARED, False),
    "CD": ("Clearance Delay", S.EXCEPTION, U.CUSTOMS_HOLD, False),
    "CH": ("Location Changed", S.IN_TRANSIT, U.FORWARDED, False),
    "CP": ("Clearance in Progress", S.IN_TRANSIT, U.CUSTOMS_PROCESSING, False),
    "DD": ("Delivery Delay", S.EXCEPTION, U.CARRIER_DELAY, False),
    "DE": ("Delivery Exception", S.DELIVERY_ATTEMPT_FAILED, None, False),
    "DL": ("Delivered", S.DELIVERED, U.DELIVERED, False),
    "DO": ("Dropped Off", S.IN_TRANSIT, U.ACCEPTED, False),
    "DP": ("Departed", S.IN_TRANSIT, U.DEPARTED_FACILITY, False),
    "DR": ("Vehicle furnished but not used", S.IN_TRANSIT, U.OTHER, False),
    "DS": ("Vehicle Dispatched", S.INFO_RECEIVED, U.AWAITING_PICKUP, False),
    "DY": ("Delay / Delivery updated", S.IN_TRANSIT, U.DELIVERY_RESCHEDULED, False),
    "EA": ("Enroute to Airport / Export Approved", S.IN_TRANSIT, U.IN_TRANSIT, False),
    "ED": ("Enroute to Delivery", S.OUT_FOR_DELIVERY, U.OUT_FOR_DELIVERY, False),
    "EO": ("Enroute to Origin Airport", S.IN_TRANSIT, U.IN_TRANSIT, False),
    "EP": ("Enroute to Pickup", S.INFO_RECEIVED, U.AWAITING_PICKUP, False),
    "FD": ("At FedEx Destination", S.IN_TRANSIT, U.ARRIVED_AT_FACILITY, False),
    "HA": ("Hold at location request accepted", S.IN_TRANSIT, U.DELIVERY_RESCHEDULED, False),
    "HL": ("Hold at Location", S.AVAILABLE_FOR_PICKUP, U.ARRIVED_AT_PICKUP_POINT, True),
    "HP": ("Ready for Recipient Pickup", S.AVAILABLE_FOR_PICKUP, U.ARRIVED_AT_PICKUP_POINT, True),
    "IN": ("On Demand Care completed", S.IN_TRANSIT, U.OTHER, False),
    "IP": ("In FedEx possession", S.IN_TRANSIT, U.ACCEPTED, False),
    "IT": ("In Transit / On the way", S.IN_TRANSIT, U.IN_TRANSIT, False),
    "IX": ("In transit (see Details)", S.IN_TRANSIT, U.IN_TRANSIT, False),
    "LC": ("Return label link cancelled by originator", S.CANCELLED, U.CANCELLED, False),
    "LO": ("Left Origin", S.IN_TRANSIT, U.DEPARTED_FACILITY, False),
    "LP": ("Return label link cancelled by originator", S.CANCELLED, U.CANCELLED, False),
    "MD": ("Manifest data", S.INFO_RECEIVED, U.INFO_RECEIVED, False),
    "OC": ("Order Created", S.INFO_RECEIVED, U.LABEL_CREATED, False),
    "OD": ("Out for Delivery", S.OUT_FOR_DELIVERY, U.OUT_FOR_DELIVERY, False),
    "OF": ("At FedEx origin facility", S.IN_TRANSIT, U.ARRIVED_AT_FACILITY, False),
    "OW": ("On the way", S.IN_TRANSIT, U.IN_TRANSIT, False),
    "OX": ("Shipment information sent to USPS", S.IN_TRANSIT, U.TRANSFERRED_TO_CARRIER, False),
    "PD": ("Pickup Delay", S.INFO_RECEIVED, U.CARRIER_DELAY, False),
    "PF": ("Plane in Flight", S.IN_TRANSIT, U.IN_TRANSIT, False),
    "PL": ("Plane Landed", S.IN_TRANSIT, U.IN_TRANSIT, False),
    "PM": ("In Progress", S.IN_TRANSIT, U.IN_TRANSIT, False),
    "PR": ("Performed Redirect", S.IN_TRANSIT, U.FORWARDED, False),
    "PU": ("Picked Up", S.IN_TRANSIT, U.PICKED_UP, False),
    "PX": ("Picked up (see Details)", S.IN_TRANSIT, U.PICKED_UP, False),
    "RA": ("Address Change Requested", S.IN_TRANSIT, U.DELIVERY_RESCHEDULED, False),
    "RC": ("CDO Cancelled", S.IN_TRANSIT, U.DELIVERY_SCHEDULED, False),
    "RD": ("Return label link expired", S.CANCELLED, U.EXPIRED, False),
    "RG": ("Return label link expiring soon", S.INFO_RECEIVED, U.LABEL_CREATED, False),
    "RM": ("CDO Modified", S.IN_TRANSIT, U.DELIVERY_RESCHEDULED, False),
    "RP": ("Return label link emailed", S.INFO_RECEIVED, U.LABEL_CREATED, False),
    "RR": ("CDO requested", S.IN_TRANSIT, U.DELIVERY_RESCHEDULED, False),
    "RS": ("Return to Shipper", S.RETURNING_TO_SENDER, U.RETURN_TO_SENDER, False),
    "RT": ("Return to Shipper Requested", S.RETURNING_TO_SENDER, U.RETURN_TO_SENDER, False),
    "SE": ("Shipment Exception", S.EXCEPTION, None, False),
    "SF": ("At Sort Facility", S.IN_TRANSIT, U.PROCESSED_AT_FACILITY, False),
    "SP": ("Split Status", S.IN_TRANSIT, U.OTHER, False),
    "TR": ("Transfer", S.IN_TRANSIT, U.IN_TRANSIT, False),
    "US": ("Scheduled delivery updated", S.IN_TRANSIT, U.DELIVERY_RESCHEDULED, False),
}


def _load(name: str) -> dict[str, Any]:
    body: dict[str, Any] = json.loads((FIXTURES / name).read_text(encoding="utf-8"))
    return body


def _events(body: Any) -> list[ShipmentStatusEvent]:
    return normalize(raw_event("fedex", json.dumps(body, ensure_ascii=False)))


def _scan(date_: str, event_type: str | None = "IT", **extra: Any) -> dict[str, Any]:
    scan: dict[str, Any] = {
        "date": date_,
        "eventType": event_type,
        "eventDescription": f"event {event_type}",
        "exceptionCode": "",
        "exceptionDescription": "",
        "scanLocation": {"city": "MEMPHIS", "stateOrProvinceCode": "TN", "countryCode": "US"},
        "derivedStatusCode": "IT",
        "derivedStatus": "In transit",
    }
    scan.update(extra)
    return scan


def _body(scans: list[Any], **result: Any) -> dict[str, Any]:
    track: dict[str, Any] = {
        "trackingNumberInfo": {"trackingNumber": "794600000001", "carrierCode": "FDXE"},
        "latestStatusDetail": {"code": "IT", "derivedCode": "IT", "description": "In transit"},
        "dateAndTimes": [],
        "scanEvents": scans,
    }
    track.update(result)
    return {
        "transactionId": "t-1",
        "output": {
            "completeTrackResults": [{"trackingNumber": "794600000001", "trackResults": [track]}]
        },
    }


# ---- golden fixtures ------------------------------------------------------------------------


def test_there_are_golden_fixtures() -> None:
    assert len(FIXTURE_FILES) >= 5


@pytest.mark.parametrize("fixture", FIXTURE_FILES, ids=lambda p: p.stem)
def test_golden(fixture: Path) -> None:
    events = check_golden("fedex", fixture)
    assert events, f"{fixture.name} produced no events"
    assert [e.occurred_at for e in events] == sorted(e.occurred_at for e in events)
    assert {e.carrier for e in events} == {"fedex"}


def test_fixtures_cover_every_code_in_the_table() -> None:
    seen = {
        (e.raw_code or "").lower() for p in FIXTURE_FILES for e in normalize_fixture("fedex", p)
    }
    missing = set(fedex.EVENT_TYPES.codes()) - seen
    assert not missing, f"codes never exercised by a fixture: {sorted(missing)}"


# ---- the code table, against the documentation ----------------------------------------------


def test_table_is_exactly_the_documented_list() -> None:
    assert set(fedex.EVENT_TYPES.codes()) == {code.lower() for code in DOCUMENTED}
    assert len(fedex.EVENT_TYPES) == 65


@pytest.mark.parametrize(("code", "expected"), sorted(DOCUMENTED.items()))
def test_code_meaning(
    code: str, expected: tuple[str, ShipmentStatus, Substatus | None, bool]
) -> None:
    _, status, substatus, action = expected
    meaning, known = fedex.EVENT_TYPES.lookup(code, fallback=S.PENDING)
    assert known
    assert (meaning.status, meaning.substatus, meaning.action_required) == (
        status,
        substatus,
        action,
    )


def test_reasons() -> None:
    assert fedex.EVENT_TYPES.lookup("CD", S.PENDING)[0].reason is Reason.CUSTOMS
    assert fedex.EVENT_TYPES.lookup("DL", S.PENDING)[0].reason is None


def test_registry_finds_the_module() -> None:
    assert fedex.SLUG == "fedex"
    assert getattr(parser_for("fedex"), "__wrapped__", None) is fedex.parse


# ---- mapping rules ----------------------------------------------------------------------------


def test_unknown_event_type_takes_the_derived_status_and_is_flagged() -> None:
    events = normalize_fixture(
        "fedex", FIXTURES / "several_results_cancelled_returned_unknown.json"
    )
    [unknown] = [e for e in events if e.raw_code == "ZX"]
    assert (unknown.status, unknown.substatus) == (S.IN_TRANSIT, U.UNKNOWN_CODE)
    [cp] = fedex.parse(_body([_scan("2026-01-05T10:00:00-05:00", "QQ", derivedStatusCode="DE")]))
    assert (cp.meaning.status, cp.meaning.substatus, cp.known) == (
        S.DELIVERY_ATTEMPT_FAILED,
        U.UNKNOWN_CODE,
        False,
    )
    [cp] = fedex.parse(_body([_scan("2026-01-05T10:00:00-05:00", "QQ", derivedStatusCode="??")]))
    assert (cp.meaning.status, cp.code, cp.known) == (S.IN_TRANSIT, "QQ", False)


def test_tracking_number_falls_back_to_the_complete_result() -> None:
    body = _body([_scan("2026-01-05T10:00:00-05:00", "PU")], trackingNumberInfo={})
    assert [cp.tracking_number for cp in fedex.parse(body)] == ["794600000001"]


def test_derived_code_is_the_raw_code_when_event_type_is_missing() -> None:
    [cp] = fedex.parse(_body([_scan("2026-01-05T10:00:00-05:00", None, derivedStatusCode="DL")]))
    assert (cp.code, cp.meaning.status, cp.known) == ("DL", S.DELIVERED, True)
    [cp] = fedex.parse(_body([_scan("2026-01-05T10:00:00-05:00", "", derivedStatusCode="PU")]))
    assert cp.code == "PU"


def test_delivery_after_a_return_scan_is_the_return_arriving() -> None:
    events = normalize_fixture(
        "fedex", FIXTURES / "several_results_cancelled_returned_unknown.json"
    )
    last = [e for e in events if e.tracking_number == "612909842775"][-1]
    assert (last.raw_code, last.status, last.substatus) == (
        "DL",
        S.RETURNED_TO_SENDER,
        U.RETURNED_TO_SENDER,
    )
    # Without a return scan a delivery stays a delivery.
    plain = normalize_fixture("fedex", FIXTURES / "ground_home_delivered_webhook.json")
    assert plain[-1].status is S.DELIVERED


def test_several_shipments_in_one_body_and_not_found_results_are_skipped() -> None:
    events = normalize_fixture(
        "fedex", FIXTURES / "several_results_cancelled_returned_unknown.json"
    )
    assert {e.tracking_number for e in events} == {"771613240557", "612909842775"}
    cancelled = [e for e in events if e.tracking_number == "771613240557"]
    assert [e.status for e in cancelled] == [S.INFO_RECEIVED, S.CANCELLED]


def test_duplicate_scans_give_one_event() -> None:
    events = normalize_fixture("fedex", FIXTURES / "ground_home_delivered_webhook.json")
    assert [e.raw_code for e in events] == ["OC", "PU", "LO", "AF", "DP", "IT", "AR", "OD", "DL"]
    assert len({e.event_id for e in events}) == len(events)
    assert len(fedex.parse(_load("ground_home_delivered_webhook.json"))) == 10


def test_history_order_does_not_matter() -> None:
    body = _load("delivery_exception_options_hold_at_location.json")
    events = _events(body)
    shuffled = copy.deepcopy(body)
    scans = shuffled["output"]["completeTrackResults"][0]["trackResults"][0]["scanEvents"]
    random.Random(11).shuffle(scans)
    assert _events(shuffled) == events


def test_determinism_same_body_same_ids() -> None:
    for path in FIXTURE_FILES:
        first = [e.event_id for e in normalize_fixture("fedex", path)]
        assert first == [e.event_id for e in normalize_fixture("fedex", path)], path.name


def test_local_offsets_are_kept() -> None:
    events = normalize_fixture("fedex", FIXTURES / "express_international_fr_ca_customs.json")
    first, last = events[0], events[-1]
    assert first.occurred_at.utcoffset() == timedelta(hours=2)
    assert last.occurred_at == datetime(2026, 5, 6, 9, 41, tzinfo=timezone(timedelta(hours=-4)))


def test_time_without_offset_uses_the_scan_country_when_it_has_one_zone() -> None:
    scan = _scan("2026-01-05T10:00:00", "AR")
    scan["scanLocation"] = {"city": "Roissy-en-France", "countryCode": "FR"}
    [cp] = fedex.parse(_body([scan]))
    assert cp.occurred_at.utcoffset() == timedelta(hours=1)
    # The USA spans zones: the scan's city places it (Memphis, Chicago time), else its state.
    [cp] = fedex.parse(_body([_scan("2026-01-05T10:00:00", "AR")]))
    assert (cp.occurred_at.utcoffset(), cp.time_basis) == (timedelta(hours=-6), TimeBasis.CITY)
    scan = _scan("2026-01-05T10:00:00", "AR")
    scan["scanLocation"] = {"stateOrProvinceCode": "CA", "countryCode": "US"}
    [cp] = fedex.parse(_body([scan]))
    assert (cp.occurred_at.utcoffset(), cp.time_basis) == (timedelta(hours=-8), TimeBasis.REGION)
    scan["scanLocation"] = {"countryCode": "US"}
    [cp] = fedex.parse(_body([scan]))
    assert (cp.occurred_at, cp.time_basis) == (datetime(2026, 1, 5, 10, tzinfo=UTC), TimeBasis.UTC)


def test_non_ascii_text_is_kept() -> None:
    events = normalize_fixture("fedex", FIXTURES / "express_international_fr_ca_customs.json")
    [held] = [e for e in events if e.raw_code == "CD"]
    assert held.raw_message == (
        "Retard de dédouanement: Documents douaniers incomplets : facture commerciale requise"
    )
    assert (held.status, held.reason) == (S.EXCEPTION, Reason.CUSTOMS)
    assert events[-1].location is not None
    assert (events[-1].location.city, events[-1].location.region) == ("Montréal", "QC")


def test_message_adds_the_exception_description() -> None:
    scan = _scan("2026-01-05T10:00:00-05:00", "DE", exceptionDescription="Incorrect address")
    scan["eventDescription"] = "Delivery exception"
    [cp] = fedex.parse(_body([scan]))
    assert cp.message == "Delivery exception: Incorrect address"
    scan = _scan("2026-01-05T10:00:00-05:00", "DL", exceptionDescription="DELIVERED")
    scan["eventDescription"] = "Delivered"
    assert fedex.parse(_body([scan]))[0].message == "Delivered"


# ---- estimates --------------------------------------------------------------------------------


def test_window_estimate_on_the_latest_checkpoint_only() -> None:
    events = normalize_fixture("fedex", FIXTURES / "express_international_fr_ca_customs.json")
    assert [e.estimated_delivery is not None for e in events] == [False] * 17 + [True]
    eta = events[-1].estimated_delivery
    assert eta is not None
    minus4 = timezone(timedelta(hours=-4))
    assert (eta.earliest, eta.latest, eta.source) == (
        date(2026, 5, 6),
        date(2026, 5, 6),
        EstimateSource.CARRIER,
    )
    assert (eta.earliest_at, eta.latest_at) == (
        datetime(2026, 5, 6, 9, 0, tzinfo=minus4),
        datetime(2026, 5, 6, 12, 0, tzinfo=minus4),
    )


def test_midnight_estimates_are_dates_without_times() -> None:
    events = normalize_fixture("fedex", FIXTURES / "ground_economy_pickup_and_return_labels.json")
    estimates = {e.tracking_number: e.estimated_delivery for e in events if e.estimated_delivery}
    smartpost = estimates["92612999897543581234567890"]
    assert (smartpost.earliest, smartpost.latest, smartpost.earliest_at) == (
        date(2026, 6, 5),
        date(2026, 6, 5),
        None,
    )
    canada = estimates["61290983349871234567"]
    assert (canada.earliest, canada.latest, canada.latest_at) == (
        date(2026, 6, 8),
        date(2026, 6, 10),
        None,
    )


def test_standard_transit_is_the_last_resort_and_no_estimate_once_delivered() -> None:
    standard = {"window": {"ends": "2026-01-07T00:00:00-06:00"}}
    [cp] = fedex.parse(
        _body([_scan("2026-01-05T10:00:00-05:00")], standardTransitTimeWindow=standard)
    )
    assert cp.estimated_delivery is not None
    assert (cp.estimated_delivery.earliest, cp.estimated_delivery.detail) == (
        date(2026, 1, 7),
        "standard transit",
    )
    events = normalize_fixture(
        "fedex", FIXTURES / "delivery_exception_options_hold_at_location.json"
    )
    assert all(e.estimated_delivery is None for e in events)
    actual = [{"type": "ACTUAL_DELIVERY", "dateTime": "2026-01-05T09:00:00-05:00"}]
    [cp] = fedex.parse(
        _body(
            [_scan("2026-01-05T10:00:00-05:00")],
            standardTransitTimeWindow=standard,
            dateAndTimes=actual,
        )
    )
    assert cp.estimated_delivery is None


def test_empty_results() -> None:
    assert fedex.parse({"output": {"completeTrackResults": []}}) == []
    assert fedex.parse(_body([])) == []
    body = _body([])
    del body["output"]["completeTrackResults"][0]["trackResults"][0]["scanEvents"]
    assert fedex.parse(body) == []


# ---- bad payloads -----------------------------------------------------------------------------

TR = "$.output.completeTrackResults[0].trackResults[0]"


def _bad(mutate: Any) -> dict[str, Any]:
    body = _body([_scan("2026-01-05T10:00:00-05:00", "PU")])
    mutate(body)
    return body


def _track(body: dict[str, Any]) -> dict[str, Any]:
    result: dict[str, Any] = body["output"]["completeTrackResults"][0]["trackResults"][0]
    return result


BAD_PAYLOADS: list[tuple[str, Any, str]] = [
    ("not-an-object", [], "$"),
    ("no-output", {"transactionId": "x", "errors": [{"code": "X"}]}, "$.output"),
    ("results-not-list", {"output": {"completeTrackResults": {}}}, "$.output.completeTrackResults"),
    (
        "result-not-object",
        {"output": {"completeTrackResults": ["x"]}},
        "$.output.completeTrackResults[0]",
    ),
    (
        "track-results-not-list",
        {"output": {"completeTrackResults": [{"trackResults": "x"}]}},
        "$.output.completeTrackResults[0].trackResults",
    ),
    (
        "no-number",
        _bad(
            lambda b: (
                _track(b).update(trackingNumberInfo={}),
                b["output"]["completeTrackResults"][0].pop("trackingNumber"),
            )
        ),
        f"{TR}.trackingNumberInfo.trackingNumber",
    ),
    (
        "long-number",
        _bad(lambda b: _track(b)["trackingNumberInfo"].update(trackingNumber="7" * 65)),
        f"{TR}.trackingNumberInfo.trackingNumber",
    ),
    ("scans-not-list", _bad(lambda b: _track(b).update(scanEvents={})), f"{TR}.scanEvents"),
    ("scan-not-object", _bad(lambda b: _track(b)["scanEvents"].append(3)), f"{TR}.scanEvents[1]"),
    (
        "no-code",
        _bad(lambda b: _track(b)["scanEvents"][0].update(eventType=None, derivedStatusCode=None)),
        f"{TR}.scanEvents[0].eventType",
    ),
    (
        "code-not-string",
        _bad(lambda b: _track(b)["scanEvents"][0].update(eventType=12)),
        f"{TR}.scanEvents[0].eventType",
    ),
    (
        "no-date",
        _bad(lambda b: _track(b)["scanEvents"][0].pop("date")),
        f"{TR}.scanEvents[0].date",
    ),
    (
        "bad-date",
        _bad(lambda b: _track(b)["scanEvents"][0].update(date="Tuesday")),
        f"{TR}.scanEvents[0].date",
    ),
    (
        "location-not-object",
        _bad(lambda b: _track(b)["scanEvents"][0].update(scanLocation="MEMPHIS")),
        f"{TR}.scanEvents[0].scanLocation",
    ),
    (
        "bad-window",
        _bad(lambda b: _track(b).update(estimatedDeliveryTimeWindow={"window": {"ends": "soon"}})),
        f"{TR}.estimatedDeliveryTimeWindow.window.ends",
    ),
    (
        "window-backwards",
        _bad(
            lambda b: _track(b).update(
                estimatedDeliveryTimeWindow={
                    "window": {
                        "begins": "2026-01-08T10:00:00-05:00",
                        "ends": "2026-01-07T10:00:00-05:00",
                    }
                }
            )
        ),
        f"{TR}.estimatedDeliveryTimeWindow.window.ends",
    ),
    (
        "bad-estimated-date",
        _bad(
            lambda b: _track(b).update(
                dateAndTimes=[{"type": "ESTIMATED_DELIVERY", "dateTime": "x"}]
            )
        ),
        f"{TR}.dateAndTimes[0].dateTime",
    ),
    ("dates-not-list", _bad(lambda b: _track(b).update(dateAndTimes={})), f"{TR}.dateAndTimes"),
]


# Optional parts: dropped and counted as degraded (module docstring), the scans kept.
DEGRADED = {"location-not-object", "bad-window", "window-backwards", "bad-estimated-date"}
REFUSED = [bad for bad in BAD_PAYLOADS if bad[0] not in DEGRADED]


@pytest.mark.parametrize(
    ("body", "path"), [(b, p) for n, b, p in BAD_PAYLOADS if n in DEGRADED], ids=sorted(DEGRADED)
)
def test_optional_parts_degrade_instead_of_refusing(body: Any, path: str) -> None:
    parsed = fedex.parse(body)
    assert isinstance(parsed, Parsed) and len(parsed) == 1 and len(parsed.degraded) == 1
    assert "[0]" not in parsed.degraded[0]


def test_an_error_beside_scans_does_not_hide_them() -> None:
    body = _body([_scan("2026-01-05T10:00:00-05:00", "DL")])
    _track(body)["error"] = {"code": "TRACKING.DATA.PARTIAL", "message": "partial"}
    parsed = fedex.parse(body)
    assert [cp.code for cp in parsed] == ["DL"]
    assert parsed.degraded == ("$.output.completeTrackResults[].trackResults[].error",)
    _track(body)["scanEvents"] = []
    assert fedex.parse(body) == []  # an error and nothing else: no news, not refused


@pytest.mark.parametrize(
    ("body", "path"), [(b, p) for _, b, p in REFUSED], ids=[n for n, *_ in REFUSED]
)
def test_bad_payload_names_the_path(body: Any, path: str) -> None:
    with pytest.raises(AdapterError) as info:
        fedex.parse(body)
    assert str(info.value).startswith(f"{path}:"), str(info.value)


def test_bad_payload_through_normalize_is_an_adapter_error() -> None:
    with pytest.raises(AdapterError, match=r"scanEvents\[0\]\.date"):
        _events(_bad(lambda b: _track(b)["scanEvents"][0].update(date="")))
