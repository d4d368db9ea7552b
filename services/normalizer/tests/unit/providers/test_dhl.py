"""DHL Shipment Tracking - Unified bodies: golden fixtures, the code table, bad bodies."""

from __future__ import annotations

import copy
import json
import random
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from suivi_normalizer.domain.normalize import normalize
from suivi_normalizer.providers import AdapterError, dhl, parser_for
from suivi_normalizer.testing.golden import check_golden, normalize_fixture, raw_event
from suivi_schemas import EstimateSource, ShipmentStatus, ShipmentStatusEvent, Substatus, TimeBasis
from suivi_schemas.carriers import canonical_carrier
from suivi_schemas.detection import detect

FIXTURES = Path(__file__).parents[2] / "fixtures" / "dhl"
FIXTURE_FILES = sorted(FIXTURES.glob("*.json"))

S = ShipmentStatus
U = Substatus

# Written by hand from the Unified API reference (developer.dhl.com/api-reference/
# shipment-tracking, `statusCode` enumeration): code → (canonical status, substatus).
DOCUMENTED: dict[str, tuple[ShipmentStatus, Substatus | None]] = {
    "pre-transit": (S.INFO_RECEIVED, U.INFO_RECEIVED),
    "transit": (S.IN_TRANSIT, U.IN_TRANSIT),
    "delivered": (S.DELIVERED, U.DELIVERED),
    "failure": (S.EXCEPTION, None),
    "unknown": (S.PENDING, U.OTHER),
}

# The `service` enumeration of the same reference → the Suivi carrier slug chosen for it.
SERVICES: dict[str, str] = {
    "express": "dhl",
    "sameday": "dhl",
    "parcel-de": "deutsche-post",
    "post-de": "deutsche-post",
    "svb": "deutsche-post",
    "post-international": "deutsche-post",
    "ecommerce": "dhl-ecommerce",
    "ecommerce-apac": "dhl-ecommerce",
    "ecommerce-europe": "dhl-ecommerce",
    "ecommerce-iberia": "dhl-ecommerce",
    "ecommerce-ppl": "dhl-ecommerce",
    "parcel-nl": "dhl-ecommerce",
    "parcel-pl": "dhl-ecommerce",
    "parcel-uk": "dhl-ecommerce",
    "freight": "dhl-freight",
    "dgf": "dhl-global-forwarding",
    "dsc": "dhl-supply-chain",
}

BERLIN = ZoneInfo("Europe/Berlin")


def _load(name: str) -> dict[str, Any]:
    body: dict[str, Any] = json.loads((FIXTURES / name).read_text(encoding="utf-8"))
    return body


def _events(body: Any) -> list[ShipmentStatusEvent]:
    return normalize(raw_event("dhl", json.dumps(body, ensure_ascii=False)))


def _event(ts: str, code: str = "transit", country: str | None = "DE", **extra: Any) -> Any:
    event: dict[str, Any] = {
        "timestamp": ts,
        "location": {"address": {"addressLocality": "Bonn", "countryCode": country}},
        "statusCode": code,
        "status": code,
        "description": f"event {code}",
    }
    event.update(extra)
    return event


def _body(events: list[Any] | None, status: Any = None, **shipment: Any) -> dict[str, Any]:
    data: dict[str, Any] = {"id": "00340434161094000001", "service": "parcel-de", "events": events}
    if status is not None:
        data["status"] = status
    data.update(shipment)
    return {"shipments": [data]}


# ---- golden fixtures ------------------------------------------------------------------------


def test_there_are_golden_fixtures() -> None:
    assert len(FIXTURE_FILES) >= 4


@pytest.mark.parametrize("fixture", FIXTURE_FILES, ids=lambda p: p.stem)
def test_golden(fixture: Path) -> None:
    events = check_golden("dhl", fixture)
    assert events, f"{fixture.name} produced no events"
    assert [e.occurred_at for e in events] == sorted(e.occurred_at for e in events)


def test_fixtures_cover_every_code_in_the_table() -> None:
    seen = {(e.raw_code or "").lower() for p in FIXTURE_FILES for e in normalize_fixture("dhl", p)}
    missing = set(dhl.STATUS_CODES.codes()) - seen
    assert not missing, f"codes never exercised by a fixture: {sorted(missing)}"


# ---- the code table and carriers, against the documentation ---------------------------------


def test_table_is_exactly_the_documented_list() -> None:
    assert set(dhl.STATUS_CODES.codes()) == set(DOCUMENTED)


@pytest.mark.parametrize(("code", "expected"), sorted(DOCUMENTED.items()))
def test_code_meaning(code: str, expected: tuple[ShipmentStatus, Substatus | None]) -> None:
    meaning, known = dhl.STATUS_CODES.lookup(code, fallback=S.EXPIRED)
    assert known
    assert (meaning.status, meaning.substatus, meaning.action_required) == (*expected, False)


@pytest.mark.parametrize(("service", "slug"), sorted(SERVICES.items()))
def test_every_documented_service_has_a_carrier(service: str, slug: str) -> None:
    assert service in dhl.SERVICE_CARRIERS
    assert dhl.carrier_for(service) == slug


def test_undocumented_service_keeps_its_own_slug() -> None:
    assert dhl.carrier_for("ecommerce-tr") == "dhl-ecommerce-tr"
    assert dhl.carrier_for(" Express ") == "dhl"


def test_registry_finds_the_module() -> None:
    assert dhl.SLUG == "dhl"
    assert getattr(parser_for("dhl"), "__wrapped__", None) is dhl.parse


# ---- mapping rules ----------------------------------------------------------------------------


def test_undocumented_code_takes_the_shipment_status_and_is_flagged() -> None:
    events = normalize_fixture("dhl", FIXTURES / "two_shipments_ecommerce_europe_parcel_nl.json")
    [odd] = [e for e in events if e.raw_code == "return-transit"]
    assert (odd.status, odd.substatus) == (S.IN_TRANSIT, U.UNKNOWN_CODE)
    status = _event("2026-01-06T10:00:00+01:00", "delivered")
    [cp, _] = dhl.parse(_body([_event("2026-01-05T10:00:00+01:00", "parked")], status))
    assert (cp.meaning.status, cp.meaning.substatus, cp.known) == (
        S.DELIVERED,
        U.UNKNOWN_CODE,
        False,
    )
    [cp] = dhl.parse(_body([_event("2026-01-05T10:00:00+01:00", "parked")]))
    assert (cp.meaning.status, cp.code) == (S.IN_TRANSIT, "parked")


def test_returns_are_read_from_the_text() -> None:
    events = normalize_fixture("dhl", FIXTURES / "parcel_de_german_failure_returned_to_sender.json")
    assert [e.status for e in events if e.raw_code == "failure"] == [
        S.EXCEPTION,
        S.RETURNING_TO_SENDER,
    ]
    assert (events[-1].raw_code, events[-1].status) == ("delivered", S.RETURNED_TO_SENDER)


@pytest.mark.parametrize(
    ("code", "text", "status"),
    [
        ("transit", "Shipment returned to shipper", S.RETURNING_TO_SENDER),
        ("failure", "Return to sender: address unknown", S.RETURNING_TO_SENDER),
        ("delivered", "Returned shipment delivered to the sender", S.RETURNED_TO_SENDER),
        ("failure", "Die Sendung wird an den Absender zurückgesendet.", S.RETURNING_TO_SENDER),
        ("delivered", "Die Rücksendung wurde an den Absender zugestellt.", S.RETURNED_TO_SENDER),
        ("delivered", "Delivered to the neighbour", S.DELIVERED),
        ("transit", "Der Absender hat die Sendung eingeliefert.", S.IN_TRANSIT),
        ("pre-transit", "Return label to sender created", S.INFO_RECEIVED),
    ],
)
def test_return_wordings(code: str, text: str, status: ShipmentStatus) -> None:
    [cp] = dhl.parse(_body([_event("2026-01-05T10:00:00+01:00", code, description=text)]))
    assert cp.meaning.status is status


def test_several_shipments_and_carriers_in_one_body() -> None:
    events = normalize_fixture("dhl", FIXTURES / "push_freight_dgf_express_status_only.json")
    assert {(e.carrier, e.tracking_number) for e in events} == {
        ("dhl-freight", "1007340013"),
        ("dhl-global-forwarding", "HKG2026061200348"),
        ("dhl", "5772840961"),  # a JSON number in the body
    }


def test_status_is_added_only_when_no_event_repeats_it() -> None:
    events = normalize_fixture("dhl", FIXTURES / "push_freight_dgf_express_status_only.json")
    by_number: dict[str, list[str]] = {}
    for e in events:
        by_number.setdefault(e.tracking_number, []).append(e.raw_code or "")
    assert by_number["1007340013"] == ["pre-transit"]  # status only
    assert by_number["HKG2026061200348"] == ["pre-transit", "transit", "transit"]
    assert by_number["5772840961"] == ["transit", "failure"]  # status repeats the last event
    assert len(dhl.parse(_load("push_freight_dgf_express_status_only.json"))) == 6


def test_duplicate_events_give_one_event() -> None:
    events = normalize_fixture("dhl", FIXTURES / "two_shipments_ecommerce_europe_parcel_nl.json")
    assert len(events) == 10
    assert len(dhl.parse(_load("two_shipments_ecommerce_europe_parcel_nl.json"))) == 12
    assert len({e.event_id for e in events}) == 10


def test_history_order_does_not_matter() -> None:
    body = _load("parcel_de_german_failure_returned_to_sender.json")
    events = _events(body)
    shuffled = copy.deepcopy(body)
    random.Random(5).shuffle(shuffled["shipments"][0]["events"])
    assert _events(shuffled) == events


def test_determinism_same_body_same_ids() -> None:
    for path in FIXTURE_FILES:
        first = [e.event_id for e in normalize_fixture("dhl", path)]
        assert first == [e.event_id for e in normalize_fixture("dhl", path)], path.name


def test_non_ascii_text_is_kept() -> None:
    events = normalize_fixture("dhl", FIXTURES / "parcel_de_german_failure_returned_to_sender.json")
    assert events[-1].location is not None
    assert events[-1].location.city == "Köln"
    [notice] = [e for e in events if e.status is S.RETURNING_TO_SENDER]
    assert notice.raw_message == (
        "Die Sendung wurde nicht abgeholt und wird an den Absender zurückgesendet."
        " — Lagerfrist in der Filiale abgelaufen"
    )


# ---- times ------------------------------------------------------------------------------------


def test_offsets_are_kept() -> None:
    events = normalize_fixture("dhl", FIXTURES / "two_shipments_ecommerce_europe_parcel_nl.json")
    assert {e.occurred_at.utcoffset() for e in events} == {timedelta(hours=2), timedelta(0)}


def test_offsetless_times_use_the_event_country() -> None:
    events = normalize_fixture("dhl", FIXTURES / "parcel_de_german_failure_returned_to_sender.json")
    assert events[-1].occurred_at == datetime(2026, 4, 21, 10, 12, tzinfo=BERLIN)
    [cp] = dhl.parse(_body([_event("2026-01-05T10:00:00", country="FR")]))
    assert cp.occurred_at.utcoffset() == timedelta(hours=1)


def test_germany_with_two_zones_sharing_one_offset_is_not_ambiguous() -> None:
    [winter] = dhl.parse(_body([_event("2026-01-05T10:00:00", country="DE")]))
    [summer] = dhl.parse(_body([_event("2026-07-05T10:00:00", country="de")]))
    assert (winter.occurred_at.utcoffset(), summer.occurred_at.utcoffset()) == (
        timedelta(hours=1),
        timedelta(hours=2),
    )


def test_offsetless_times_without_a_usable_country_are_utc() -> None:
    for country in (None, "US", "ES"):  # none, several offsets (US, Spain with the Canaries)
        [cp] = dhl.parse(_body([_event("2026-01-05T10:00:00", country=country)]))
        assert cp.occurred_at == datetime(2026, 1, 5, 10, 0, tzinfo=UTC), country
        assert cp.time_basis is TimeBasis.UTC


def test_a_country_named_in_the_locality_places_the_time() -> None:
    # DHL Paket: no countryCode, the country written out (German, English, after a city).
    for locality, city in (
        ("Deutschland", None),
        ("Köln, Deutschland", "Köln"),
        ("BONN - GERMANY", "BONN"),
    ):
        event = _event("2026-01-05T10:00:00", country=None)
        event["location"]["address"]["addressLocality"] = locality
        [cp] = dhl.parse(_body([event]))
        assert cp.location is not None and (cp.location.city, cp.location.country) == (city, "DE")
        assert (cp.occurred_at.utcoffset(), cp.time_basis) == (
            timedelta(hours=1),
            TimeBasis.COUNTRY,
        )
    events = normalize_fixture("dhl", FIXTURES / "express_delivered_offsetless_local_times.json")
    assert events[0].location is not None and events[0].location.country == "DE"
    assert events[0].occurred_at == datetime(2026, 3, 17, 9, 1, tzinfo=ZoneInfo("Europe/Berlin"))


def test_a_country_code_written_as_a_name_or_alpha3_is_resolved() -> None:
    for written in ("Deutschland", "DEU", "Allemagne"):
        [cp] = dhl.parse(_body([_event("2026-01-05T10:00:00", country=written)]))
        assert cp.location is not None and cp.location.country == "DE", written
        assert cp.occurred_at.utcoffset() == timedelta(hours=1)


def test_the_shipment_country_places_an_event_without_a_place() -> None:
    origin = {"address": {"countryCode": "DE"}}
    [cp] = dhl.parse(_body([_event("2026-01-05T10:00:00", country=None)], origin=origin))
    assert (cp.occurred_at.utcoffset(), cp.time_basis) == (
        timedelta(hours=1),
        TimeBasis.SHIPMENT_COUNTRY,
    )


def test_status_repeating_an_event_in_another_time_notation_is_not_a_second_checkpoint() -> None:
    status = _event("2026-01-05T10:00:00Z", "delivered")
    assert len(dhl.parse(_body([_event("2026-01-05T10:00:00", "delivered")], status))) == 1
    # A different code at that wall-clock time is a checkpoint of its own.
    assert len(dhl.parse(_body([_event("2026-01-05T10:00:00", "transit")], status))) == 2


# ---- estimates --------------------------------------------------------------------------------


def test_time_frame_estimate_on_the_latest_checkpoint_in_the_destination_zone() -> None:
    events = normalize_fixture("dhl", FIXTURES / "two_shipments_ecommerce_europe_parcel_nl.json")
    with_eta = [e for e in events if e.estimated_delivery is not None]
    assert [e.tracking_number for e in with_eta] == ["CN248109937BE"]
    eta = with_eta[0].estimated_delivery
    assert eta is not None and eta.source is EstimateSource.CARRIER
    plus2 = timezone(timedelta(hours=2))
    assert (eta.earliest, eta.earliest_at, eta.latest_at) == (
        date(2026, 5, 12),
        datetime(2026, 5, 12, 9, 0, tzinfo=plus2),
        datetime(2026, 5, 12, 13, 0, tzinfo=plus2),
    )


def test_midnight_frame_is_dates_and_delivered_shipments_get_none() -> None:
    events = normalize_fixture("dhl", FIXTURES / "push_freight_dgf_express_status_only.json")
    [freight] = [e for e in events if e.carrier == "dhl-freight"]
    assert freight.estimated_delivery is not None
    assert (
        freight.estimated_delivery.earliest,
        freight.estimated_delivery.latest,
        freight.estimated_delivery.earliest_at,
    ) == (date(2026, 7, 4), date(2026, 7, 5), None)
    delivered = normalize_fixture("dhl", FIXTURES / "express_delivered_offsetless_local_times.json")
    assert all(e.estimated_delivery is None for e in delivered)  # it has estimatedTimeOfDelivery


def test_single_estimated_time_of_delivery() -> None:
    body = _body(
        [_event("2026-01-05T10:00:00+01:00")], estimatedTimeOfDelivery="2026-01-07T18:00:00"
    )
    body["shipments"][0]["destination"] = {"address": {"countryCode": "AT"}}
    [cp] = dhl.parse(body)
    assert cp.estimated_delivery is not None
    assert cp.estimated_delivery.latest_at == datetime(
        2026, 1, 7, 18, 0, tzinfo=ZoneInfo("Europe/Vienna")
    )


def test_empty_bodies() -> None:
    assert dhl.parse({"shipments": []}) == []
    assert dhl.parse(_body(None)) == []
    assert dhl.parse(_body([], estimatedTimeOfDelivery="2026-01-07")) == []


# ---- bad payloads -----------------------------------------------------------------------------


def _bad(mutate: Any) -> dict[str, Any]:
    body = _body([_event("2026-01-05T10:00:00+01:00")])
    mutate(body)
    return body


def _ship(body: dict[str, Any]) -> dict[str, Any]:
    shipment: dict[str, Any] = body["shipments"][0]
    return shipment


BAD_PAYLOADS: list[tuple[str, Any, str]] = [
    ("not-an-object", [], "$"),
    ("problem-json", {"title": "No result found", "status": 404}, "$.shipments"),
    ("shipment-not-object", {"shipments": ["x"]}, "$.shipments[0]"),
    ("no-id", _bad(lambda b: _ship(b).pop("id")), "$.shipments[0].id"),
    ("blank-id", _bad(lambda b: _ship(b).update(id=" ")), "$.shipments[0].id"),
    ("long-id", _bad(lambda b: _ship(b).update(id="1" * 65)), "$.shipments[0].id"),
    ("no-service", _bad(lambda b: _ship(b).pop("service")), "$.shipments[0].service"),
    (
        "bad-service",
        _bad(lambda b: _ship(b).update(service="DHL Express!")),
        "$.shipments[0].service",
    ),
    ("events-not-list", _bad(lambda b: _ship(b).update(events={})), "$.shipments[0].events"),
    ("event-not-object", _bad(lambda b: _ship(b)["events"].append(1)), "$.shipments[0].events[1]"),
    (
        "no-code",
        _bad(lambda b: _ship(b)["events"][0].pop("statusCode")),
        "$.shipments[0].events[0].statusCode",
    ),
    (
        "no-timestamp",
        _bad(lambda b: _ship(b)["events"][0].pop("timestamp")),
        "$.shipments[0].events[0].timestamp",
    ),
    (
        "bad-timestamp",
        _bad(lambda b: _ship(b)["events"][0].update(timestamp="gestern")),
        "$.shipments[0].events[0].timestamp",
    ),
    (
        "location-not-object",
        _bad(lambda b: _ship(b)["events"][0].update(location="Bonn")),
        "$.shipments[0].events[0].location",
    ),
    (
        "address-not-object",
        _bad(lambda b: _ship(b)["events"][0].update(location={"address": "Bonn"})),
        "$.shipments[0].events[0].location.address",
    ),
    (
        "status-not-object",
        _bad(lambda b: _ship(b).update(status="transit")),
        "$.shipments[0].status",
    ),
    (
        "bad-eta",
        _bad(lambda b: _ship(b).update(estimatedTimeOfDelivery="bald")),
        "$.shipments[0].estimatedTimeOfDelivery",
    ),
    (
        "frame-not-object",
        _bad(lambda b: _ship(b).update(estimatedDeliveryTimeFrame="soon")),
        "$.shipments[0].estimatedDeliveryTimeFrame",
    ),
    (
        "frame-backwards",
        _bad(
            lambda b: _ship(b).update(
                estimatedDeliveryTimeFrame={
                    "estimatedFrom": "2026-01-09T10:00:00+01:00",
                    "estimatedThrough": "2026-01-08T10:00:00+01:00",
                }
            )
        ),
        "$.shipments[0].estimatedDeliveryTimeFrame.estimatedThrough",
    ),
]


@pytest.mark.parametrize(
    ("body", "path"), [(b, p) for _, b, p in BAD_PAYLOADS], ids=[n for n, *_ in BAD_PAYLOADS]
)
def test_bad_payload_names_the_path(body: Any, path: str) -> None:
    with pytest.raises(AdapterError) as info:
        dhl.parse(body)
    assert str(info.value).startswith(f"{path}:"), str(info.value)


def test_bad_payload_through_normalize_is_an_adapter_error() -> None:
    with pytest.raises(AdapterError, match=r"shipments\[0\]\.events\[0\]\.timestamp"):
        _events(_bad(lambda b: _ship(b)["events"][0].update(timestamp="")))


def test_a_dhl_paket_parcel_has_one_slug_whichever_way_it_comes() -> None:
    # DHL's Unified API tracks DHL Paket SSCCs as service parcel-de; detection, 17TRACK's
    # "DHL Paket" (carrier 7041) and AfterShip's dhl-germany must name the same carrier.
    slug = dhl.carrier_for("parcel-de")
    assert detect("00340434161094042557")[0].carrier == slug
    assert detect("(00) 3404 3416 1094 0425 57")[0].carrier == slug
    assert {canonical_carrier(n) for n in ("DHL Paket", "dhl-germany")} == {slug}
    seventeen = normalize_fixture(
        "17track",
        FIXTURES.parent / "17track" / "public_ctt_automation_dhl_paket_retail_outlet_pickup.json",
    )
    assert {e.carrier for e in seventeen} == {slug}
