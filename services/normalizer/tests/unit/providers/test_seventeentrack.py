"""17TRACK API v2.2 webhooks: goldens, code tables, times, carriers, bad payloads, determinism.

The expected tables below were written from 17TRACK's help-center article "Understanding
Tracking Status (Main Status & Substatus)" and the v2.2 API documentation (milestone stages),
independently of the adapter's tables: a change on either side shows up here.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from suivi_normalizer.providers import AdapterError
from suivi_normalizer.providers.seventeentrack import (
    MAIN_STATUSES,
    STAGES,
    SUB_STATUSES,
    carrier_slug,
    meaning_for,
    parse,
)
from suivi_normalizer.testing.golden import check_golden, normalize_fixture
from suivi_schemas import EstimateSource, Reason, ShipmentStatus, ShipmentStatusEvent, Substatus

FIXTURES = Path(__file__).parents[2] / "fixtures" / "17track"
ALL_FIXTURES = sorted(FIXTURES.glob("*.json"))

S, X = ShipmentStatus, Substatus

EXPECTED_SUB_STATUSES: dict[str, tuple[ShipmentStatus, Substatus]] = {
    "NotFound_Other": (S.PENDING, X.NOT_FOUND),
    "NotFound_InvalidCode": (S.PENDING, X.NOT_FOUND),
    "InfoReceived": (S.INFO_RECEIVED, X.INFO_RECEIVED),
    "InTransit_PickedUp": (S.IN_TRANSIT, X.PICKED_UP),
    "InTransit_Other": (S.IN_TRANSIT, X.IN_TRANSIT),
    "InTransit_Departure": (S.IN_TRANSIT, X.DEPARTED_FACILITY),
    "InTransit_Arrival": (S.IN_TRANSIT, X.ARRIVED_IN_DESTINATION_COUNTRY),
    "InTransit_CustomsProcessing": (S.IN_TRANSIT, X.CUSTOMS_PROCESSING),
    "InTransit_CustomsReleased": (S.IN_TRANSIT, X.CUSTOMS_CLEARED),
    "InTransit_CustomsRequiringInformation": (S.EXCEPTION, X.CUSTOMS_DOCUMENTS_REQUIRED),
    "Expired_Other": (S.EXPIRED, X.EXPIRED),
    "AvailableForPickup_Other": (S.AVAILABLE_FOR_PICKUP, X.ARRIVED_AT_PICKUP_POINT),
    "OutForDelivery_Other": (S.OUT_FOR_DELIVERY, X.OUT_FOR_DELIVERY),
    "DeliveryFailure_Other": (S.DELIVERY_ATTEMPT_FAILED, X.OTHER),
    "DeliveryFailure_NoBody": (S.DELIVERY_ATTEMPT_FAILED, X.RECIPIENT_UNAVAILABLE),
    "DeliveryFailure_Security": (S.DELIVERY_ATTEMPT_FAILED, X.SECURITY_ISSUE),
    "DeliveryFailure_Rejected": (S.DELIVERY_ATTEMPT_FAILED, X.REFUSED),
    "DeliveryFailure_InvalidAddress": (S.DELIVERY_ATTEMPT_FAILED, X.ADDRESS_ISSUE),
    "Delivered_Other": (S.DELIVERED, X.DELIVERED),
    "Exception_Other": (S.EXCEPTION, X.OTHER),
    "Exception_Returning": (S.RETURNING_TO_SENDER, X.RETURN_TO_SENDER),
    "Exception_Returned": (S.RETURNED_TO_SENDER, X.RETURNED_TO_SENDER),
    "Exception_NoBody": (S.EXCEPTION, X.RECIPIENT_UNAVAILABLE),
    "Exception_Security": (S.EXCEPTION, X.SECURITY_ISSUE),
    "Exception_Damage": (S.EXCEPTION, X.DAMAGED),
    "Exception_Rejected": (S.EXCEPTION, X.REFUSED),
    "Exception_Delayed": (S.EXCEPTION, X.CARRIER_DELAY),
    "Exception_Lost": (S.LOST, X.LOST),
    "Exception_Destroyed": (S.LOST, X.DISPOSED),
    "Exception_Cancel": (S.CANCELLED, X.CANCELLED),
}

EXPECTED_STAGES: dict[str, tuple[ShipmentStatus, Substatus]] = {
    "InfoReceived": (S.INFO_RECEIVED, X.INFO_RECEIVED),
    "PickedUp": (S.IN_TRANSIT, X.PICKED_UP),
    "Departure": (S.IN_TRANSIT, X.DEPARTED_FACILITY),
    "Arrival": (S.IN_TRANSIT, X.ARRIVED_IN_DESTINATION_COUNTRY),
    "AvailableForPickup": (S.AVAILABLE_FOR_PICKUP, X.ARRIVED_AT_PICKUP_POINT),
    "OutForDelivery": (S.OUT_FOR_DELIVERY, X.OUT_FOR_DELIVERY),
    "Delivered": (S.DELIVERED, X.DELIVERED),
    "Returning": (S.RETURNING_TO_SENDER, X.RETURN_TO_SENDER),
    "Returned": (S.RETURNED_TO_SENDER, X.RETURNED_TO_SENDER),
}

EXPECTED_MAIN: dict[str, ShipmentStatus] = {
    "NotFound": S.PENDING,
    "InfoReceived": S.INFO_RECEIVED,
    "InTransit": S.IN_TRANSIT,
    "Expired": S.EXPIRED,
    "AvailableForPickup": S.AVAILABLE_FOR_PICKUP,
    "OutForDelivery": S.OUT_FOR_DELIVERY,
    "DeliveryFailure": S.DELIVERY_ATTEMPT_FAILED,
    "Delivered": S.DELIVERED,
    "Exception": S.EXCEPTION,
}

# The shopper has to do something: collect, give an address or details, send documents.
ACTION_REQUIRED = {
    "InTransit_CustomsRequiringInformation",
    "AvailableForPickup_Other",
    "DeliveryFailure_InvalidAddress",
    "Exception_NoBody",
}

# Codes in the fixtures that no 17TRACK documentation defines: kept, flagged, not guessed.
UNMAPPED_IN_FIXTURES = {"Exception_Held", "unclassified"}


def _events(name: str) -> list[ShipmentStatusEvent]:
    return normalize_fixture("17track", FIXTURES / f"{name}.json")


def _body(name: str) -> dict[str, Any]:
    body: dict[str, Any] = json.loads((FIXTURES / f"{name}.json").read_text(encoding="utf-8"))
    return body


# --- golden fixtures ---------------------------------------------------------------------------


@pytest.mark.parametrize("fixture", ALL_FIXTURES, ids=lambda p: p.stem)
def test_golden(fixture: Path) -> None:
    check_golden("17track", fixture)


def test_fixtures_cover_every_code_of_the_tables() -> None:
    seen: set[str] = set()
    for fixture in ALL_FIXTURES:
        seen |= {e.raw_code for e in normalize_fixture("17track", fixture) if e.raw_code}
    documented = set(SUB_STATUSES.codes()) | set(STAGES.codes())
    # NotFound_* never become a checkpoint without events: "no news yet" (module docstring).
    assert documented - seen == {"NotFound_Other", "NotFound_InvalidCode"}
    assert seen - documented == UNMAPPED_IN_FIXTURES


# --- code tables -------------------------------------------------------------------------------


def test_tables_hold_exactly_the_documented_codes() -> None:
    assert set(SUB_STATUSES.codes()) == set(EXPECTED_SUB_STATUSES)
    assert len(SUB_STATUSES) == 30
    assert set(STAGES.codes()) == set(EXPECTED_STAGES)
    assert MAIN_STATUSES == EXPECTED_MAIN


@pytest.mark.parametrize(("code", "expected"), sorted(EXPECTED_SUB_STATUSES.items()))
def test_sub_status_meaning(code: str, expected: tuple[ShipmentStatus, Substatus]) -> None:
    raw, meaning, known = meaning_for(code, "Delivered")  # the sub-status wins over the stage
    assert (raw, known) == (code, True)
    assert (meaning.status, meaning.substatus) == expected
    assert meaning.action_required is (code in ACTION_REQUIRED)


@pytest.mark.parametrize(("stage", "expected"), sorted(EXPECTED_STAGES.items()))
def test_stage_meaning_without_sub_status(
    stage: str, expected: tuple[ShipmentStatus, Substatus]
) -> None:
    raw, meaning, known = meaning_for(None, stage)
    assert (raw, known) == (stage, True)
    assert (meaning.status, meaning.substatus) == expected


@pytest.mark.parametrize(
    ("code", "reason"),
    [
        ("NotFound_InvalidCode", Reason.RETAILER),
        ("InTransit_CustomsRequiringInformation", Reason.CUSTOMS),
        ("DeliveryFailure_NoBody", Reason.CONSIGNEE),
        ("DeliveryFailure_Rejected", Reason.CONSIGNEE),
        ("Exception_Damage", Reason.CARRIER),
        ("Exception_Lost", Reason.CARRIER),
        ("Exception_Delayed", None),
        ("Delivered_Other", None),
    ],
)
def test_sub_status_reason(code: str, reason: Reason | None) -> None:
    assert meaning_for(code, None)[1].reason is reason


@pytest.mark.parametrize(("main", "status"), sorted(EXPECTED_MAIN.items()))
def test_unknown_sub_status_falls_back_to_its_main_status(
    main: str, status: ShipmentStatus
) -> None:
    raw, meaning, known = meaning_for(f"{main}_SomethingNew", None)
    assert (raw, known) == (f"{main}_SomethingNew", False)
    assert (meaning.status, meaning.substatus) == (status, X.UNKNOWN_CODE)


@pytest.mark.parametrize(
    ("sub_status", "stage", "raw"),
    [("Held", None, "Held"), (None, "CustomsHold", "CustomsHold"), (None, None, "unclassified")],
)
def test_other_unknowns_are_in_transit_and_flagged(
    sub_status: str | None, stage: str | None, raw: str
) -> None:
    code, meaning, known = meaning_for(sub_status, stage)
    assert (code, meaning.status, meaning.substatus, known) == (
        raw,
        S.IN_TRANSIT,
        X.UNKNOWN_CODE,
        False,
    )


# --- carriers ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "slug"),
    [
        (21051, "usps"),
        (100001, "dhl"),
        (100002, "ups"),
        (100003, "fedex"),
        (6051, "laposte"),
        (190271, "cainiao"),
        (3011, "china-post"),
        (11031, "royal-mail"),
        (1151, "australia-post"),
    ],
)
def test_carrier_codes(code: int, slug: str) -> None:
    assert carrier_slug(code, []) == slug


def test_carrier_outside_the_table_goes_by_provider_name_else_by_code() -> None:
    providers = [
        {"provider": {"key": 21051, "name": "USPS"}},
        {"provider": {"key": 190002, "name": "Yun Express"}},
    ]
    assert carrier_slug(190002, providers) == "yunexpress"
    assert carrier_slug(190003, providers) == "17track-190003"
    assert carrier_slug(190004, [{"provider": {"key": 190004, "name": "—"}}]) == "17track-190004"
    assert carrier_slug(3013, [{"provider": {"key": 3013, "name": "China EMS"}}]) == "china-ems"


# --- behaviour on the fixtures ------------------------------------------------------------------


def test_two_providers_listing_the_same_scans_give_one_event_each() -> None:
    events = _events("cainiao_china_to_usps_duplicates")
    assert len(events) == 15  # 17 scans listed, 2 of them under both providers
    assert [e.occurred_at for e in events] == sorted(e.occurred_at for e in events)
    assert {e.key for e in events} == {"cainiao:LP00598765432101"}
    # The first copy (USPS, listed first) wins; the Chinese copy's wording differs.
    accepted = next(e for e in events if e.occurred_at == datetime(2026, 3, 7, 13, 14, tzinfo=UTC))
    assert accepted.raw_message == "Accepted at USPS Regional Origin Facility"
    assert events[-1].raw_message == "Delivered, Individual Picked Up at Post Office"
    assert events[-1].status is S.DELIVERED


def test_chinese_scans_local_offsets_and_time_utc_fallback() -> None:
    events = _events("cainiao_china_to_usps_duplicates")
    first = events[0]
    assert first.raw_message == "卖家已发货\uff0c等待揽收"  # full-width comma, as sent
    assert first.location is not None and (first.location.city, first.location.country) == (
        "深圳市",
        "CN",
    )
    assert first.occurred_at.utcoffset() == timedelta(hours=8)
    # time_iso written without an offset: time_utc gives the instant
    assert events[2].occurred_at == datetime(2026, 3, 2, 22, 12, 40, tzinfo=UTC)
    assert events[-1].occurred_at.utcoffset() == timedelta(hours=-5)


def test_estimate_rides_on_the_latest_checkpoint_only() -> None:
    events = _events("cainiao_china_to_usps_duplicates")
    assert [e.estimated_delivery is not None for e in events] == [False] * 14 + [True]
    edd = events[-1].estimated_delivery
    assert edd is not None and edd.source is EstimateSource.PROVIDER
    assert (edd.earliest, edd.latest) == (date(2026, 3, 10), date(2026, 3, 13))
    official = _events("dhl_v2_stage_only_delivered")[-1].estimated_delivery
    assert official is not None and official.source is EstimateSource.CARRIER
    paris = timezone(timedelta(hours=1))
    assert official.earliest_at == datetime(2026, 2, 17, 9, 0, tzinfo=paris)
    assert all(e.estimated_delivery is None for e in _events("ups_delivery_failures_returned"))


def test_french_text_and_offsetless_local_times() -> None:
    events = _events("laposte_colissimo_exceptions_french")
    assert {e.carrier for e in events} == {"laposte"}
    paris = timezone(timedelta(hours=1))
    by_code = {e.raw_code: e for e in events}
    # time_iso without offset and no time_utc: France's zone
    assert by_code["InTransit_Other"].occurred_at == datetime(2026, 2, 3, 4, 40, tzinfo=paris)
    # time_raw without timezone: France's zone; a date alone: local noon
    assert by_code["Exception_Security"].occurred_at == datetime(2026, 2, 3, 15, 3, tzinfo=paris)
    assert by_code["Exception_Delayed"].occurred_at == datetime(2026, 2, 5, 12, 0, tzinfo=paris)
    # time_raw with its own offset
    assert by_code["Exception_NoBody"].occurred_at == datetime(2026, 2, 10, 8, 10, tzinfo=paris)
    nobody = by_code["Exception_NoBody"]
    assert nobody.raw_message == "Destinataire inconnu à l'adresse indiquée."
    assert nobody.location is not None and nobody.location.city == "Genève"
    assert by_code["InTransit_CustomsRequiringInformation"].action_required


def test_not_found_is_no_news_and_expired_makes_a_checkpoint_at_the_sync_time() -> None:
    # NotFound with no event: registered, no news yet; no checkpoint dated by a moving sync time.
    assert _events("fedex_not_found_yet") == []
    assert _events("china_ems_invalid_code") == []
    expired = _events("royal_mail_expired")
    assert [e.status for e in expired] == [S.INFO_RECEIVED, S.IN_TRANSIT, S.IN_TRANSIT, S.EXPIRED]
    assert expired[-1].occurred_at == datetime(2026, 3, 10, 2, 0, tzinfo=UTC)
    body = _body("fedex_not_found_yet")
    body["data"]["track_info"]["tracking"]["providers"] = []
    assert parse(body) == []  # nothing to date it by


def test_latest_event_is_read_only_when_no_provider_lists_events() -> None:
    body = _body("usps_label_cancelled")
    info = body["data"]["track_info"]
    assert [cp.code for cp in parse(body)] == ["Exception_Cancel", "InfoReceived"]
    info["tracking"]["providers"][0]["events"] = []
    assert [cp.code for cp in parse(body)] == ["Exception_Cancel"]


def test_unknown_codes_are_flagged_with_their_main_status() -> None:
    held = next(e for e in _events("fedex_held_lost_destroyed") if e.raw_code == "Exception_Held")
    assert (held.status, held.substatus) == (S.EXCEPTION, X.UNKNOWN_CODE)
    unclassified = [
        e for e in _events("dhl_v2_stage_only_delivered") if e.raw_code == "unclassified"
    ]
    assert [(e.status, e.substatus) for e in unclassified] == [(S.IN_TRANSIT, X.UNKNOWN_CODE)]


def test_stopped_tracking_has_no_checkpoint() -> None:
    assert parse(_body("tracking_stopped")) == []


# --- determinism -------------------------------------------------------------------------------


def test_same_body_twice_gives_the_same_ids() -> None:
    for fixture in ALL_FIXTURES:
        first = normalize_fixture("17track", fixture)
        assert [e.event_id for e in first] == [
            e.event_id for e in normalize_fixture("17track", fixture)
        ]


def test_providers_and_events_in_another_order_give_the_same_events() -> None:
    body = _body("cainiao_china_to_usps_duplicates")
    reordered = copy.deepcopy(body)
    providers = reordered["data"]["track_info"]["tracking"]["providers"]
    for provider in providers:
        provider["events"].reverse()
    keys = {(cp.occurred_at, cp.code, cp.location) for cp in parse(body)}
    assert keys == {(cp.occurred_at, cp.code, cp.location) for cp in parse(reordered)}


# --- bad bodies --------------------------------------------------------------------------------


def _mutated(change: Callable[[dict[str, Any]], object]) -> dict[str, Any]:
    body = _body("ups_delivery_failures_returned")
    change(body)
    return body


def _event(index: int, **fields: Any) -> Callable[[dict[str, Any]], object]:
    path = ("data", "track_info", "tracking", "providers")
    return lambda b: b[path[0]][path[1]][path[2]][path[3]][0]["events"][index].update(fields)


EVENTS = "$.data.track_info.tracking.providers[0].events"


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (["TRACKING_UPDATED"], "$: expected a JSON object"),
        (_mutated(lambda b: b.pop("event")), "$.event: missing"),
        (_mutated(lambda b: b.update(event="TRACKING_DELETED")), "$.event: expected"),
        (_mutated(lambda b: b.update(data=[{}])), "$.data: expected an object"),
        (_mutated(lambda b: b["data"].pop("number")), "$.data.number: missing"),
        (_mutated(lambda b: b["data"].update(number=" ")), "$.data.number: not a tracking"),
        (_mutated(lambda b: b["data"].update(number=7)), "$.data.number: not a tracking"),
        (_mutated(lambda b: b["data"].pop("carrier")), "$.data.carrier: missing"),
        (_mutated(lambda b: b["data"].update(carrier="UPS")), "$.data.carrier: expected"),
        (_mutated(lambda b: b["data"].pop("track_info")), "$.data.track_info: missing"),
        (
            _mutated(lambda b: b["data"]["track_info"]["tracking"].update(providers={})),
            "$.data.track_info.tracking.providers: expected a list",
        ),
        (
            _mutated(lambda b: b["data"]["track_info"]["tracking"]["providers"].append(3)),
            "$.data.track_info.tracking.providers[1]: expected an object",
        ),
        (
            _mutated(_event(2, time_iso="yesterday", time_utc=None)),
            f"{EVENTS}[2].time_iso: not an ISO 8601 timestamp",
        ),
        (
            _mutated(_event(4, time_iso=None, time_utc=None, time_raw=None)),
            f"{EVENTS}[4].time_iso: missing",
        ),
        (_mutated(_event(1, sub_status=12)), f"{EVENTS}[1].sub_status: expected a string"),
        (_mutated(_event(0, address="Newark")), f"{EVENTS}[0].address: expected an object"),
        (
            _mutated(
                lambda b: b["data"]["track_info"]["time_metrics"]["estimated_delivery_date"].update(
                    {"from": "2026-01-16T09:00:00-05:00", "to": "2026-01-15T09:00:00-05:00"}
                )
            ),
            "$.data.track_info.time_metrics.estimated_delivery_date: estimated delivery window",
        ),
    ],
)
def test_bad_bodies_name_the_path(body: Any, message: str) -> None:
    with pytest.raises(AdapterError) as info:
        parse(body)
    assert message in str(info.value)
