"""AfterShip tracking_update webhooks: goldens, code table, times, bad payloads, determinism.

The expected table below was written from AfterShip's "Delivery Sub-statuses" documentation
(2026-07) and the help-center article on the sub-statuses added on 2026-03-27, independently of
the adapter's table: a change on either side shows up here.
"""

from __future__ import annotations

import copy
import json
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from suivi_normalizer.domain.normalize import normalize
from suivi_normalizer.providers import AdapterError
from suivi_normalizer.providers.aftership import TABLE, TAGS, country_alpha2, parse
from suivi_normalizer.testing.envelope import envelope_for
from suivi_normalizer.testing.golden import check_golden, normalize_fixture, raw_event
from suivi_schemas import (
    EstimateSource,
    Reason,
    ShipmentStatus,
    ShipmentStatusEvent,
    Substatus,
    TimeBasis,
)

FIXTURES = Path(__file__).parents[2] / "fixtures" / "aftership"
ALL_FIXTURES = sorted(FIXTURES.glob("*.json"))

S, X = ShipmentStatus, Substatus

EXPECTED: dict[str, tuple[ShipmentStatus, Substatus]] = {
    "Pending_001": (S.PENDING, X.NOT_FOUND),
    "InfoReceived_001": (S.INFO_RECEIVED, X.INFO_RECEIVED),
    "InTransit_001": (S.IN_TRANSIT, X.IN_TRANSIT),
    "InTransit_002": (S.IN_TRANSIT, X.ACCEPTED),
    "InTransit_003": (S.IN_TRANSIT, X.ARRIVED_AT_FACILITY),
    "InTransit_004": (S.IN_TRANSIT, X.ARRIVED_IN_DESTINATION_COUNTRY),
    "InTransit_005": (S.IN_TRANSIT, X.CUSTOMS_CLEARED),
    "InTransit_006": (S.IN_TRANSIT, X.CUSTOMS_PROCESSING),
    "InTransit_007": (S.IN_TRANSIT, X.DEPARTED_FACILITY),
    "InTransit_008": (S.IN_TRANSIT, X.IN_TRANSIT),
    "InTransit_009": (S.IN_TRANSIT, X.FORWARDED),
    "OutForDelivery_001": (S.OUT_FOR_DELIVERY, X.OUT_FOR_DELIVERY),
    "OutForDelivery_003": (S.OUT_FOR_DELIVERY, X.OUT_FOR_DELIVERY),
    "OutForDelivery_004": (S.OUT_FOR_DELIVERY, X.DELIVERY_SCHEDULED),
    "AvailableForPickup_001": (S.AVAILABLE_FOR_PICKUP, X.ARRIVED_AT_PICKUP_POINT),
    "AttemptFail_001": (S.DELIVERY_ATTEMPT_FAILED, X.OTHER),
    "AttemptFail_002": (S.DELIVERY_ATTEMPT_FAILED, X.RECIPIENT_UNAVAILABLE),
    "AttemptFail_003": (S.DELIVERY_ATTEMPT_FAILED, X.BUSINESS_CLOSED),
    "Delivered_001": (S.DELIVERED, X.DELIVERED),
    "Delivered_002": (S.DELIVERED, X.PICKED_UP_BY_CUSTOMER),
    "Delivered_003": (S.DELIVERED, X.SIGNED),
    "Delivered_004": (S.DELIVERED, X.COD_COLLECTED),
    "Delivered_005": (S.DELIVERED, X.DELIVERED_TO_NEIGHBOR),
    "Exception_001": (S.EXCEPTION, X.OTHER),
    "Exception_002": (S.EXCEPTION, X.RECIPIENT_MOVED),
    "Exception_003": (S.EXCEPTION, X.REFUSED),
    "Exception_004": (S.EXCEPTION, X.CUSTOMS_HOLD),
    "Exception_005": (S.EXCEPTION, X.CARRIER_DELAY),
    "Exception_006": (S.EXCEPTION, X.HELD_FOR_PAYMENT),
    "Exception_007": (S.EXCEPTION, X.ADDRESS_ISSUE),
    "Exception_008": (S.EXCEPTION, X.OTHER),
    "Exception_009": (S.EXCEPTION, X.HELD_BY_CARRIER),
    "Exception_010": (S.RETURNING_TO_SENDER, X.RETURN_TO_SENDER),
    "Exception_011": (S.RETURNED_TO_SENDER, X.RETURNED_TO_SENDER),
    "Exception_012": (S.EXCEPTION, X.DAMAGED),
    "Exception_013": (S.LOST, X.LOST),
    "Exception_016": (S.EXCEPTION, X.CARRIER_DELAY),
    "Exception_017": (S.EXCEPTION, X.WEATHER_DELAY),
    "Exception_018": (S.EXCEPTION, X.CUSTOMS_DOCUMENTS_REQUIRED),
    "Exception_019": (S.EXCEPTION, X.CARRIER_DELAY),
    "Exception_020": (S.CANCELLED, X.CANCELLED),
    "Exception_021": (S.LOST, X.DISPOSED),
    "Expired_001": (S.EXPIRED, X.EXPIRED),
}

# The shopper has to do something: collect, pay, give an address, send documents.
ACTION_REQUIRED = {
    "AvailableForPickup_001",
    "Exception_002",
    "Exception_006",
    "Exception_007",
    "Exception_008",
    "Exception_018",
}

# Real-looking subtags that no current AfterShip documentation defines: kept, flagged, not guessed.
UNMAPPED_IN_FIXTURES = {"InTransit_011", "Exception_014"}


def _events(name: str) -> list[ShipmentStatusEvent]:
    return normalize_fixture("aftership", FIXTURES / f"{name}.json")


def _body(name: str) -> dict[str, Any]:
    body: dict[str, Any] = json.loads((FIXTURES / f"{name}.json").read_text(encoding="utf-8"))
    return body


# --- golden fixtures -------------------------------------------------------------------------


@pytest.mark.parametrize("fixture", ALL_FIXTURES, ids=lambda p: p.stem)
def test_golden(fixture: Path) -> None:
    check_golden("aftership", fixture)


def test_fixtures_cover_every_subtag_of_the_table() -> None:
    seen: set[str] = set()
    for fixture in ALL_FIXTURES:
        seen |= {e.raw_code for e in normalize_fixture("aftership", fixture) if e.raw_code}
    seen -= set(TAGS)  # tag-only checkpoints (v4 webhooks) are not table codes
    # Pending_001 without checkpoints is "no news yet": no event (module docstring).
    assert {c.lower() for c in seen - UNMAPPED_IN_FIXTURES} | {"pending_001"} == set(TABLE.codes())
    assert seen >= UNMAPPED_IN_FIXTURES


# --- code table ------------------------------------------------------------------------------


def test_table_maps_exactly_the_documented_subtags() -> None:
    assert set(TABLE.codes()) == {c.lower() for c in EXPECTED}
    assert len(TABLE) == len(EXPECTED) == 43


@pytest.mark.parametrize(("code", "expected"), sorted(EXPECTED.items()))
def test_subtag_meaning(code: str, expected: tuple[ShipmentStatus, Substatus]) -> None:
    meaning, known = TABLE.lookup(code, fallback=S.EXCEPTION)
    assert known
    assert (meaning.status, meaning.substatus) == expected
    assert meaning.action_required is (code in ACTION_REQUIRED)


@pytest.mark.parametrize(
    ("code", "reason"),
    [
        ("AttemptFail_002", Reason.CONSIGNEE),
        ("Exception_003", Reason.CONSIGNEE),
        ("Exception_004", Reason.CUSTOMS),
        ("Exception_009", Reason.RETAILER),
        ("Exception_012", Reason.CARRIER),
        ("Exception_017", Reason.WEATHER),
        ("Exception_018", Reason.CUSTOMS),
        ("Delivered_001", None),
        ("InTransit_005", None),
    ],
)
def test_subtag_reason(code: str, reason: Reason | None) -> None:
    assert TABLE.lookup(code, fallback=S.EXCEPTION)[0].reason is reason


# --- behaviour on the fixtures ---------------------------------------------------------------


def test_history_out_of_order_comes_out_oldest_first() -> None:
    events = _events("ups_history_out_of_order")
    assert [e.occurred_at for e in events] == sorted(e.occurred_at for e in events)
    assert [e.raw_code for e in events] == [
        "InfoReceived_001",
        "InTransit_002",
        "InTransit_007",
        "InTransit_003",
        "InTransit_001",
        "OutForDelivery_001",
        "AttemptFail_003",
        "OutForDelivery_003",
        "AttemptFail_002",
        "OutForDelivery_004",
        "AttemptFail_001",
        "Delivered_003",
    ]
    assert {e.key for e in events} == {"ups:1Z999AA10123456784"}
    # Offsets are kept as the carrier gave them.
    assert events[1].occurred_at.utcoffset() == timedelta(hours=-5)
    assert events[-1].occurred_at.utcoffset() == timedelta(hours=-6)


def test_estimate_rides_on_the_latest_checkpoint_only() -> None:
    events = _events("ups_history_out_of_order")
    assert [e.estimated_delivery is not None for e in events] == [False] * 11 + [True]
    edd = events[-1].estimated_delivery
    assert edd is not None and edd.source is EstimateSource.PROVIDER
    assert (edd.earliest, edd.latest) == (date(2026, 2, 5), date(2026, 2, 6))
    assert edd.earliest_at is None


def test_delivered_with_carrier_estimate_window() -> None:
    events = _events("fedex_delivered_with_carrier_estimate")
    last = events[-1]
    assert (last.status, last.substatus) == (S.DELIVERED, X.DELIVERED_TO_NEIGHBOR)
    edd = last.estimated_delivery
    assert edd is not None and edd.source is EstimateSource.CARRIER
    assert edd.earliest == edd.latest == date(2026, 3, 5)
    eastern = timezone(timedelta(hours=-5))
    assert edd.earliest_at == datetime(2026, 3, 5, 9, 0, tzinfo=eastern)
    assert edd.latest_at == datetime(2026, 3, 5, 20, 0, tzinfo=eastern)


def test_exceptions_and_return() -> None:
    events = _events("dhl_customs_exceptions_then_returned")
    by_code = {e.raw_code: e for e in events}
    assert by_code["Exception_006"].action_required
    assert by_code["Exception_004"].reason is Reason.CUSTOMS
    assert by_code["Exception_010"].status is S.RETURNING_TO_SENDER
    assert events[-1].status is S.RETURNED_TO_SENDER
    assert events[-1].location is not None and events[-1].location.country == "GB"
    assert by_code["Exception_007"].location is not None
    assert by_code["Exception_007"].location.country == "CH"


def test_non_ascii_text_and_carrier_slug_mapping() -> None:
    events = _events("colissimo_french_local_times")
    assert {e.carrier for e in events} == {"laposte"}  # Colissimo is La Poste's parcel brand
    delivered = events[-1]
    assert delivered.raw_message == "Colis livré"
    assert delivered.location is not None and delivered.location.city == "Évry"
    assert delivered.location.postal_code == "91000"
    # A custom (merchant) EDD is a promise, not an estimate.
    assert all(e.estimated_delivery is None for e in events)


def test_offsetless_local_times_use_the_checkpoint_country_zone() -> None:
    events = _events("colissimo_french_local_times")
    paris = timezone(timedelta(hours=1))  # before the 2026-03-29 switch to summer time
    assert events[0].occurred_at == datetime(2026, 3, 9, 12, 0, tzinfo=paris)  # bare date: noon
    assert events[-1].occurred_at == datetime(2026, 3, 11, 12, 6, tzinfo=paris)
    legacy = _events("royal_mail_legacy_fields_unknown_subtags")
    assert legacy[0].occurred_at == datetime(2026, 4, 13, 15, 47, tzinfo=UTC)  # BST


def test_multi_zone_country_is_placed_by_city_and_unknown_country_falls_back_to_utc() -> None:
    events = _events("japan_post_local_and_date_only_times")
    tokyo = timezone(timedelta(hours=9))
    pacific = timezone(timedelta(hours=-7))  # Los Angeles in April
    assert [(e.occurred_at, e.time_basis) for e in events] == [
        (datetime(2026, 4, 1, 9, 30, tzinfo=tokyo), TimeBasis.COUNTRY),
        (datetime(2026, 4, 2, 12, 0, tzinfo=tokyo), TimeBasis.COUNTRY),  # bare date: local noon
        (datetime(2026, 4, 5, 6, 10, tzinfo=pacific), TimeBasis.CITY),  # USA: its city
        (datetime(2026, 4, 5, 7, 45, tzinfo=pacific), TimeBasis.CITY),
        (datetime(2026, 4, 9, 15, 20, tzinfo=pacific), TimeBasis.CITY),
        # no place; Japan and the USA disagree: UTC
        (datetime(2026, 4, 20, 10, 0, tzinfo=UTC), TimeBasis.UTC),
    ]
    assert events[-1].location is None
    assert (events[-1].status, events[-1].substatus) == (S.LOST, X.DISPOSED)


def test_unknown_subtags_are_flagged_with_the_tag_status_and_kept() -> None:
    events = _events("royal_mail_legacy_fields_unknown_subtags")
    unknown = {e.raw_code: e for e in events if e.substatus is X.UNKNOWN_CODE}
    assert set(unknown) == {"InTransit_011", "Exception_014"}
    assert unknown["InTransit_011"].status is S.IN_TRANSIT
    assert unknown["Exception_014"].status is S.EXCEPTION


def test_legacy_field_names_are_read() -> None:
    events = _events("royal_mail_legacy_fields_unknown_subtags")
    first = events[0]
    assert first.location is not None
    assert (first.location.country, first.location.postal_code) == ("GB", "SN5 8XY")
    edd = events[-1].estimated_delivery
    assert edd is not None and edd.source is EstimateSource.CARRIER
    assert edd.earliest == date(2026, 4, 16)


def test_duplicate_checkpoints_collapse() -> None:
    body = _body("cainiao_duplicates_and_delays")
    events = _events("cainiao_duplicates_and_delays")
    assert len(body["msg"]["checkpoints"]) == 10
    assert len(events) == 8
    assert [e.raw_code for e in events][:2] == ["InTransit_002", "InTransit_007"]
    # The first copy is kept, with its own offset.
    assert events[1].occurred_at.utcoffset() == timedelta(hours=8)
    assert events[-1].status is S.LOST


def test_pending_without_checkpoints_is_no_news_and_other_tags_give_the_tracking_status() -> None:
    assert _events("usps_pending_no_checkpoints") == []  # registered, no news yet
    body = json.loads((FIXTURES / "usps_pending_no_checkpoints.json").read_text())
    body["msg"].update(tag="InfoReceived", subtag="InfoReceived_001")
    (event,) = normalize(raw_event("aftership", json.dumps(body)))
    assert (event.status, event.raw_code) == (S.INFO_RECEIVED, "InfoReceived_001")
    # created_at, stable across re-sent webhooks (updated_at changes with every refresh).
    assert event.occurred_at == datetime(2026, 6, 1, 8, 0, tzinfo=UTC)
    body["msg"]["updated_at"] = "2026-06-03T09:00:00+00:00"
    again = normalize(raw_event("aftership", json.dumps(body)))
    assert [e.event_id for e in again] == [event.event_id]


def test_a_state_places_an_offsetless_time_in_a_country_spanning_zones() -> None:
    # AfterShip's older webhook shape: checkpoint_time without offset, `state` and no city.
    body = json.loads((FIXTURES / "japan_post_local_and_date_only_times.json").read_text())
    checkpoint = body["msg"]["checkpoints"][2]
    checkpoint.update(city=None, state="NY", checkpoint_time="2026-01-05T10:00:00")
    event = next(
        e
        for e in normalize(raw_event("aftership", json.dumps(body)))
        if e.location and e.location.region == "NY"
    )
    assert event.occurred_at == datetime(2026, 1, 5, 15, 0, tzinfo=UTC)
    assert event.time_basis is TimeBasis.REGION


def test_expired_tracking_adds_an_expired_event() -> None:
    events = _events("dpd_expired_after_info_received")
    assert [e.status for e in events] == [S.INFO_RECEIVED, S.EXPIRED]
    assert events[-1].occurred_at == datetime(2026, 2, 4, 11, 20, 5, tzinfo=UTC)


def test_cancelled_label() -> None:
    events = _events("usps_label_cancelled")
    assert [e.status for e in events] == [S.INFO_RECEIVED, S.CANCELLED]


# --- parse() directly: fallbacks and helpers -------------------------------------------------


def _minimal(**checkpoint: Any) -> dict[str, Any]:
    cp = {"checkpoint_time": "2026-01-10T10:00:00+01:00", "tag": "InTransit"} | checkpoint
    return {"msg": {"tracking_number": "X1", "slug": "dhl", "checkpoints": [cp]}}


@pytest.mark.parametrize(
    ("checkpoint", "status", "code"),
    [
        ({"tag": "Rerouted", "subtag": "Rerouted_001"}, S.EXCEPTION, "Rerouted_001"),
        ({"tag": None, "subtag": "Delivered_009"}, S.DELIVERED, "Delivered_009"),
        ({"tag": "OutForDelivery", "subtag": "OutForDelivery_002"}, S.OUT_FOR_DELIVERY, None),
    ],
)
def test_unmapped_codes_fall_back_on_the_tag(
    checkpoint: dict[str, Any], status: ShipmentStatus, code: str | None
) -> None:
    (cp,) = parse(_minimal(**checkpoint))
    assert not cp.known
    assert (cp.meaning.status, cp.meaning.substatus) == (status, X.UNKNOWN_CODE)
    assert cp.code == (code or checkpoint["subtag"])


@pytest.mark.parametrize(("tag", "status"), [("Pending", S.PENDING), ("Exception", S.EXCEPTION)])
def test_a_tag_without_subtag_is_the_tags_meaning(tag: str, status: ShipmentStatus) -> None:
    (cp,) = parse(_minimal(tag=tag))  # the v4 webhooks, before sub-statuses
    assert cp.known and cp.code == tag
    assert (cp.meaning.status, cp.meaning.substatus) == (status, None)
    assert getattr(parse(_minimal(tag=tag)), "degraded", ()) == ("msg.checkpoints[].subtag",)
    assert getattr(parse(_minimal(subtag="InTransit_002")), "degraded", ()) == ()


def test_a_usps_facility_without_state_is_placed_by_the_state_in_its_name() -> None:
    # AfterShip relays USPS's "WEST PALM BEACH FL DISTRIBUTION CENTER" with `state: null`.
    city = "WEST PALM BEACH FL DISTRIBUTION CENTER"
    (cp,) = parse(
        _minimal(checkpoint_time="2021-05-13T19:25:00", country_iso3="USA", city=city, state=None)
    )
    assert cp.occurred_at.isoformat() == "2021-05-13T19:25:00-04:00"
    assert cp.location is not None and cp.location.region == "FL"


def test_subtags_are_read_whatever_their_case() -> None:
    (cp,) = parse(_minimal(subtag="intransit_002"))
    assert cp.known and cp.meaning.substatus is X.ACCEPTED
    assert cp.code == "intransit_002"


@pytest.mark.parametrize(
    ("value", "expected"),
    [("FRA", "FR"), ("usa", "US"), ("XKX", "XK"), ("FR", "FR"), ("ZZZ", None), ("", None)],
)
def test_country_alpha2(value: str, expected: str | None) -> None:
    assert country_alpha2(value) == expected


def test_unknown_country_is_dropped_not_fatal() -> None:
    (cp,) = parse(_minimal(subtag="InTransit_001", country_region="ZZZ", city="Nowhere"))
    assert cp.location is not None and cp.location.country is None
    assert cp.location.city == "Nowhere"


# --- bad payloads ----------------------------------------------------------------------------


def _broken(mutate: Any) -> dict[str, Any]:
    body = copy.deepcopy(_body("ups_history_out_of_order"))
    mutate(body)
    return body


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ([1, 2], "$: expected a JSON object"),
        ({"event": "tracking_update"}, "$.msg: missing"),
        ({"msg": "tracking"}, "$.msg: expected an object"),
        (_broken(lambda b: b["msg"].pop("tracking_number")), "$.msg.tracking_number: missing"),
        (_broken(lambda b: b["msg"].update(tracking_number=123)), "$.msg.tracking_number:"),
        (_broken(lambda b: b["msg"].update(slug="DHL Express")), "$.msg.slug: not a courier"),
        (_broken(lambda b: b["msg"].update(checkpoints={})), "$.msg.checkpoints: expected"),
        (_broken(lambda b: b["msg"]["checkpoints"].append("x")), "$.msg.checkpoints[12]: expected"),
        (
            _broken(lambda b: b["msg"]["checkpoints"][3].pop("checkpoint_time")),
            "$.msg.checkpoints[3].checkpoint_time: missing",
        ),
        (
            _broken(lambda b: b["msg"]["checkpoints"][2].update(checkpoint_time="yesterday")),
            "$.msg.checkpoints[2].checkpoint_time: not an ISO 8601 timestamp",
        ),
        (
            _broken(lambda b: b["msg"]["checkpoints"][0].update(tag=None, subtag=None)),
            "$.msg.checkpoints[0].subtag: missing",
        ),
        (
            _broken(
                lambda b: b["msg"]["aftership_estimated_delivery_date"].update(
                    estimated_delivery_date_min="2026-02-07"
                )
            ),
            "$.msg.aftership_estimated_delivery_date: estimated delivery window ends before",
        ),
        (
            _broken(lambda b: b["msg"].update(courier_estimated_delivery_date="soon")),
            "$.msg.courier_estimated_delivery_date: expected an object",
        ),
        (
            _broken(lambda b: b["msg"].update(checkpoints=[], updated_at=None, created_at=None)),
            "$.msg.created_at: missing",
        ),
    ],
)
def test_bad_payloads_name_the_path(body: Any, message: str) -> None:
    with pytest.raises(AdapterError) as excinfo:
        parse(body)
    assert message in str(excinfo.value)


def test_bad_payload_through_normalize_is_an_adapter_error() -> None:
    with pytest.raises(AdapterError, match=r"\$\.msg\.slug"):
        normalize(raw_event("aftership", json.dumps({"msg": {"tracking_number": "1", "slug": 5}})))


# --- determinism -----------------------------------------------------------------------------


@pytest.mark.parametrize("fixture", ALL_FIXTURES, ids=lambda p: p.stem)
def test_same_body_twice_gives_the_same_ids(fixture: Path) -> None:
    body = fixture.read_text(encoding="utf-8")
    first = normalize(raw_event("aftership", body))
    # Another delivery of the same body: other envelope id, other reception time.
    again = normalize(envelope_for("aftership", body, datetime(2026, 9, 1, tzinfo=UTC)))
    assert [e.event_id for e in first] == [e.event_id for e in again]
    assert len({e.event_id for e in first}) == len(first)
