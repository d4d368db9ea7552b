"""Shippo adapter: golden fixtures, the code tables against Shippo's docs, bad payloads."""

from __future__ import annotations

import copy
import json
import random
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest

from suivi_normalizer.domain.normalize import normalize
from suivi_normalizer.providers import AdapterError, parser_for, shippo
from suivi_normalizer.providers.base import Parsed
from suivi_normalizer.testing.golden import check_golden, normalize_fixture, raw_event
from suivi_schemas import EstimateSource, Reason, ShipmentStatus, ShipmentStatusEvent, Substatus

FIXTURES = Path(__file__).parents[2] / "fixtures" / "shippo"
FIXTURE_FILES = sorted(FIXTURES.glob("*.json"))

S = ShipmentStatus
U = Substatus

# Written from Shippo's "Event definitions" table (docs.goshippo.com/docs/tracking/tracking/
# #event-definitions): (status/substatus, canonical status, canonical substatus, the docs'
# "Action Required" tick). Kept apart from the module's table on purpose.
DOCUMENTED_SUBSTATUSES: list[tuple[str, ShipmentStatus, Substatus | None, bool]] = [
    ("PRE_TRANSIT/information_received", S.INFO_RECEIVED, U.INFO_RECEIVED, False),
    ("TRANSIT/address_issue", S.EXCEPTION, U.ADDRESS_ISSUE, True),
    ("TRANSIT/contact_carrier", S.EXCEPTION, U.CONTACT_CARRIER, True),
    ("TRANSIT/delayed", S.IN_TRANSIT, U.CARRIER_DELAY, False),
    ("TRANSIT/delivery_attempted", S.DELIVERY_ATTEMPT_FAILED, None, True),
    ("TRANSIT/delivery_rescheduled", S.IN_TRANSIT, U.DELIVERY_RESCHEDULED, False),
    ("TRANSIT/delivery_scheduled", S.IN_TRANSIT, U.DELIVERY_SCHEDULED, False),
    ("TRANSIT/location_inaccessible", S.DELIVERY_ATTEMPT_FAILED, U.LOCATION_INACCESSIBLE, True),
    ("TRANSIT/notice_left", S.DELIVERY_ATTEMPT_FAILED, U.NOTICE_LEFT, True),
    ("TRANSIT/out_for_delivery", S.OUT_FOR_DELIVERY, U.OUT_FOR_DELIVERY, False),
    ("TRANSIT/package_accepted", S.IN_TRANSIT, U.ACCEPTED, False),
    ("TRANSIT/package_arrived", S.IN_TRANSIT, U.ARRIVED_AT_FACILITY, False),
    ("TRANSIT/package_damaged", S.EXCEPTION, U.DAMAGED, True),
    ("TRANSIT/package_departed", S.IN_TRANSIT, U.DEPARTED_FACILITY, False),
    ("TRANSIT/package_forwarded", S.IN_TRANSIT, U.FORWARDED, False),
    ("TRANSIT/package_held", S.EXCEPTION, U.HELD_BY_CARRIER, True),
    ("TRANSIT/package_processed", S.IN_TRANSIT, U.PROCESSED_AT_FACILITY, False),
    ("TRANSIT/package_processing", S.IN_TRANSIT, U.PROCESSED_AT_FACILITY, False),
    ("TRANSIT/pickup_available", S.AVAILABLE_FOR_PICKUP, U.ARRIVED_AT_PICKUP_POINT, True),
    ("TRANSIT/reschedule_delivery", S.DELIVERY_ATTEMPT_FAILED, None, True),
    ("DELIVERED/delivered", S.DELIVERED, U.DELIVERED, False),
    ("RETURNED/return_to_sender", S.RETURNING_TO_SENDER, U.RETURN_TO_SENDER, False),
    ("RETURNED/package_unclaimed", S.RETURNING_TO_SENDER, U.RETURN_TO_SENDER, True),
    ("FAILURE/package_undeliverable", S.EXCEPTION, U.UNDELIVERABLE, True),
    ("FAILURE/package_disposed", S.LOST, U.DISPOSED, False),
    ("FAILURE/package_lost", S.LOST, U.LOST, True),
    ("UNKNOWN/other", S.PENDING, U.OTHER, False),
]

DOCUMENTED_STATUSES: list[tuple[str, ShipmentStatus, Substatus | None]] = [
    ("PRE_TRANSIT", S.INFO_RECEIVED, None),
    ("TRANSIT", S.IN_TRANSIT, None),
    ("DELIVERED", S.DELIVERED, None),
    ("RETURNED", S.RETURNED_TO_SENDER, None),
    ("FAILURE", S.EXCEPTION, None),
    ("UNKNOWN", S.PENDING, U.NOT_FOUND),
]


def _load(name: str) -> dict[str, Any]:
    body: dict[str, Any] = json.loads((FIXTURES / name).read_text(encoding="utf-8"))
    return body


def _events(body: Any) -> list[ShipmentStatusEvent]:
    return normalize(raw_event("shippo", json.dumps(body, ensure_ascii=False)))


def _entry(status: str, date_: str, code: str | None = None, **extra: Any) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "object_id": f"{status}-{code}-{date_}",
        "status": status,
        "status_details": f"{status} {code}",
        "status_date": date_,
        "substatus": None if code is None else {"code": code, "text": "", "action_required": False},
        "location": {"city": "Chicago", "state": "IL", "zip": "60611", "country": "US"},
    }
    entry.update(extra)
    return entry


def _body(history: list[Any] | None, status: Any = None, **data: Any) -> dict[str, Any]:
    track: dict[str, Any] = {
        "carrier": "usps",
        "tracking_number": "9400111899223456789012",
        "tracking_history": history,
        "tracking_status": status,
        "eta": None,
    }
    track.update(data)
    return {"event": "track_updated", "test": False, "data": track}


# ---- golden fixtures ------------------------------------------------------------------------


def test_there_are_golden_fixtures() -> None:
    assert len(FIXTURE_FILES) >= 7


@pytest.mark.parametrize("fixture", FIXTURE_FILES, ids=lambda p: p.stem)
def test_golden(fixture: Path) -> None:
    events = check_golden("shippo", fixture)
    assert events, f"{fixture.name} produced no events"
    assert [e.occurred_at for e in events] == sorted(e.occurred_at for e in events)


def test_fixtures_cover_every_code_in_the_tables() -> None:
    seen = {
        (e.raw_code or "").lower()
        for path in FIXTURE_FILES
        for e in normalize_fixture("shippo", path)
    }
    missing = set(shippo.STATUS_TABLE.codes()) | set(shippo.SUBSTATUS_TABLE.codes())
    missing -= seen
    assert not missing, f"codes never exercised by a fixture: {sorted(missing)}"


# ---- code tables, against the documentation --------------------------------------------------


def test_substatus_table_is_exactly_the_documented_list() -> None:
    documented = {code.lower() for code, *_ in DOCUMENTED_SUBSTATUSES}
    assert set(shippo.SUBSTATUS_TABLE.codes()) == documented
    assert len(shippo.SUBSTATUS_TABLE) == 27


def test_status_table_is_exactly_the_documented_list() -> None:
    assert set(shippo.STATUS_TABLE.codes()) == {code.lower() for code, *_ in DOCUMENTED_STATUSES}


@pytest.mark.parametrize(("code", "status", "substatus", "action"), DOCUMENTED_SUBSTATUSES)
def test_substatus_meaning(
    code: str, status: ShipmentStatus, substatus: Substatus | None, action: bool
) -> None:
    meaning, known = shippo.SUBSTATUS_TABLE.lookup(code, fallback=S.PENDING)
    assert known
    assert (meaning.status, meaning.substatus, meaning.action_required) == (
        status,
        substatus,
        action,
    )


@pytest.mark.parametrize(("code", "status", "substatus"), DOCUMENTED_STATUSES)
def test_status_meaning(code: str, status: ShipmentStatus, substatus: Substatus | None) -> None:
    meaning, known = shippo.STATUS_TABLE.lookup(code, fallback=S.EXCEPTION)
    assert known
    assert (meaning.status, meaning.substatus, meaning.action_required) == (
        status,
        substatus,
        False,
    )


def test_action_required_transit_problems_are_exceptions() -> None:
    for code in ("address_issue", "package_held", "package_damaged", "contact_carrier"):
        meaning, _ = shippo.SUBSTATUS_TABLE.lookup(f"TRANSIT/{code}", fallback=S.PENDING)
        assert meaning.status is S.EXCEPTION, code
        assert meaning.action_required, code


def test_reasons() -> None:
    def reason(code: str) -> Reason | None:
        return shippo.SUBSTATUS_TABLE.lookup(code, fallback=S.PENDING)[0].reason

    assert reason("TRANSIT/package_damaged") is Reason.CARRIER
    assert reason("FAILURE/package_lost") is Reason.CARRIER
    assert reason("RETURNED/package_unclaimed") is Reason.CONSIGNEE
    assert reason("TRANSIT/package_arrived") is None


def test_registry_finds_the_module() -> None:
    assert shippo.SLUG == "shippo"
    assert getattr(parser_for("shippo"), "__wrapped__", None) is shippo.parse


# ---- mapping rules ----------------------------------------------------------------------------


def test_out_for_delivery_and_failed_attempt_come_from_transit_substatuses() -> None:
    events = normalize_fixture("shippo", FIXTURES / "usps_out_for_delivery_attempted.json")
    by_code = {e.raw_code: e for e in events}
    assert by_code["TRANSIT/out_for_delivery"].status is S.OUT_FOR_DELIVERY
    attempted = by_code["TRANSIT/delivery_attempted"]
    assert (attempted.status, attempted.action_required) == (S.DELIVERY_ATTEMPT_FAILED, True)


def test_unknown_substatus_keeps_the_parent_status_and_is_flagged() -> None:
    events = normalize_fixture("shippo", FIXTURES / "usps_unknown_substatus.json")
    last = events[-1]
    assert last.raw_code == "TRANSIT/package_in_local_area"
    assert (last.status, last.substatus) == (S.IN_TRANSIT, U.UNKNOWN_CODE)
    [cp] = [c for c in shippo.parse(_load("usps_unknown_substatus.json")) if not c.known]
    assert cp.code == "TRANSIT/package_in_local_area"


def test_documented_code_under_another_parent_is_not_read_as_its_documented_meaning() -> None:
    body = _body([_entry("RETURNED", "2026-01-05T10:00:00Z", "delivered")])
    [cp] = shippo.parse(body)
    assert (cp.meaning.status, cp.meaning.substatus, cp.known) == (
        S.RETURNED_TO_SENDER,
        U.UNKNOWN_CODE,
        False,
    )


def test_unknown_top_level_status_is_pending_and_flagged() -> None:
    [cp] = shippo.parse(_body([_entry("CANCELLED", "2026-01-05T10:00:00Z")]))
    assert (cp.meaning.status, cp.meaning.substatus, cp.known) == (
        S.PENDING,
        U.UNKNOWN_CODE,
        False,
    )
    assert cp.code == "CANCELLED"


def test_shippo_action_required_flag_wins_over_the_table() -> None:
    entry = _entry("TRANSIT", "2026-01-05T10:00:00Z", "brand_new_code")
    entry["substatus"]["action_required"] = True
    [cp] = shippo.parse(_body([entry]))
    assert (cp.meaning.status, cp.meaning.action_required, cp.known) == (S.IN_TRANSIT, True, False)
    entry = _entry("TRANSIT", "2026-01-05T10:00:00Z", "package_held")
    entry["substatus"]["action_required"] = False
    [cp] = shippo.parse(_body([entry]))
    assert (cp.meaning.status, cp.meaning.action_required) == (S.EXCEPTION, False)


def test_non_boolean_flag_is_ignored() -> None:
    entry = _entry("TRANSIT", "2026-01-05T10:00:00Z", "address_issue")
    entry["substatus"]["action_required"] = "no"
    [cp] = shippo.parse(_body([entry]))
    assert cp.meaning.action_required is True


def test_tracking_status_repeating_history_with_another_code_is_skipped() -> None:
    events = normalize_fixture("shippo", FIXTURES / "fedex_delivered_with_eta.json")
    codes = [e.raw_code for e in events]
    assert codes.count("TRANSIT/out_for_delivery") == 1
    assert events[-1].raw_code == "DELIVERED/delivered"
    assert events[-1].status is S.DELIVERED


def test_tracking_status_newer_than_history_is_added() -> None:
    events = normalize_fixture("shippo", FIXTURES / "usps_out_for_delivery_attempted.json")
    assert events[-1].raw_code == "TRANSIT/reschedule_delivery"
    assert len(events) == 6


def test_tracking_status_alone() -> None:
    body = _body([], _entry("TRANSIT", "2026-01-05T10:00:00Z", "package_accepted"))
    [cp] = shippo.parse(body)
    assert cp.code == "TRANSIT/package_accepted"


def test_no_events_at_all() -> None:
    assert shippo.parse(_body([], None)) == []
    assert shippo.parse(_body(None, None, eta="2026-01-05T00:00:00Z")) == []


def test_duplicate_history_entries_give_one_event() -> None:
    events = normalize_fixture("shippo", FIXTURES / "ups_duplicate_history.json")
    assert [e.raw_code for e in events] == [
        "PRE_TRANSIT/information_received",
        "TRANSIT/package_accepted",
        "TRANSIT/package_arrived",
        "DELIVERED/delivered",
    ]
    assert len({e.event_id for e in events}) == 4


def test_history_order_does_not_matter() -> None:
    body = _load("usps_unordered_history.json")
    events = _events(body)
    assert [e.occurred_at for e in events] == sorted(e.occurred_at for e in events)
    assert events[0].raw_code == "PRE_TRANSIT"
    shuffled = copy.deepcopy(body)
    random.Random(7).shuffle(shuffled["data"]["tracking_history"])
    assert _events(shuffled) == events


def test_determinism_same_body_same_ids() -> None:
    for path in FIXTURE_FILES:
        first = [e.event_id for e in normalize_fixture("shippo", path)]
        second = [e.event_id for e in normalize_fixture("shippo", path)]
        assert first == second, path.name


def test_eta_on_latest_checkpoint_only() -> None:
    events = normalize_fixture("shippo", FIXTURES / "fedex_delivered_with_eta.json")
    assert [e.estimated_delivery is not None for e in events] == [False] * 4 + [True]
    eta = events[-1].estimated_delivery
    assert eta is not None
    assert (eta.earliest, eta.latest, eta.source) == (
        date(2026, 2, 12),
        date(2026, 2, 12),
        EstimateSource.CARRIER,
    )
    assert eta.earliest_at == datetime(2026, 2, 12, 17, 0, 49, tzinfo=UTC)


def test_midnight_eta_is_a_date_without_time() -> None:
    events = normalize_fixture("shippo", FIXTURES / "usps_unordered_history.json")
    eta = events[-1].estimated_delivery
    assert eta is not None
    assert (eta.earliest, eta.earliest_at, eta.latest_at) == (date(2026, 3, 11), None, None)


def test_timestamps_without_offset_are_utc() -> None:
    events = normalize_fixture("shippo", FIXTURES / "shippo_test_mode_delivered.json")
    assert events[0].occurred_at == datetime(2026, 9, 12, 2, 28, 40, 887000, tzinfo=UTC)
    assert [e.raw_code for e in events] == ["UNKNOWN", "TRANSIT", "FAILURE", "DELIVERED"]


def test_carrier_tokens() -> None:
    events = normalize_fixture("shippo", FIXTURES / "dhl_express_damaged_lost.json")
    assert {e.carrier for e in events} == {"dhl"}
    [cp] = shippo.parse(_body([_entry("TRANSIT", "2026-01-05T10:00:00Z")], carrier=" Hermes_UK"))
    assert cp.carrier == "evri"
    [cp] = shippo.parse(_body([_entry("TRANSIT", "2026-01-05T10:00:00Z")], carrier="canada_post"))
    assert cp.carrier == "canada-post"  # the same slug as from EasyPost or AfterShip


def test_location_parts() -> None:
    entry = _entry("TRANSIT", "2026-01-05T10:00:00Z")
    entry["location"] = {"city": " Lyon ", "state": "", "zip": "69001", "country": "France"}
    [cp] = shippo.parse(_body([entry]))
    assert cp.location is not None
    assert (cp.location.city, cp.location.region, cp.location.postal_code) == (
        "Lyon",
        None,
        "69001",
    )
    assert cp.location.country == "FR"  # a country name, resolved (places.country_code)
    entry["location"] = {"city": "", "state": None, "zip": "", "country": "fr"}
    [cp] = shippo.parse(_body([entry]))
    assert cp.location is not None
    assert cp.location.country == "FR"
    entry["location"] = {"city": "", "state": "", "zip": "", "country": ""}
    assert shippo.parse(_body([entry]))[0].location is None


def test_non_ascii_text_is_kept() -> None:
    events = normalize_fixture("shippo", FIXTURES / "colissimo_non_ascii_unclaimed.json")
    last = events[-1]
    assert last.location is not None
    assert last.location.city == "Saint-Étienne"
    assert last.location.region == "Auvergne-Rhône-Alpes"
    assert last.raw_message is not None
    assert "retiré dans le délai imparti" in last.raw_message
    assert (last.status, last.action_required, last.reason) == (
        S.RETURNING_TO_SENDER,
        True,
        Reason.CONSIGNEE,
    )


# ---- bad payloads -----------------------------------------------------------------------------


def _bad(mutate: Any) -> dict[str, Any]:
    body = _body([_entry("TRANSIT", "2026-01-05T10:00:00Z", "package_accepted")])
    mutate(body)
    return body


BAD_PAYLOADS: list[tuple[str, Any, str]] = [
    ("not-an-object", [], "body"),
    ("other-event", {"event": "transaction_created", "data": {}}, "event"),
    ("no-data", {"event": "track_updated", "test": False}, "data"),
    ("data-not-object", {"event": "track_updated", "data": "x"}, "data"),
    ("no-carrier", _bad(lambda b: b["data"].pop("carrier")), "data.carrier"),
    ("bad-carrier", _bad(lambda b: b["data"].update(carrier="DHL Express")), "data.carrier"),
    ("no-number", _bad(lambda b: b["data"].update(tracking_number=None)), "data.tracking_number"),
    (
        "blank-number",
        _bad(lambda b: b["data"].update(tracking_number="  ")),
        "data.tracking_number",
    ),
    (
        "long-number",
        _bad(lambda b: b["data"].update(tracking_number="9" * 65)),
        "data.tracking_number",
    ),
    (
        "history-not-list",
        _bad(lambda b: b["data"].update(tracking_history={})),
        "data.tracking_history",
    ),
    (
        "entry-not-object",
        _bad(lambda b: b["data"]["tracking_history"].append("x")),
        "data.tracking_history[1]",
    ),
    (
        "no-status",
        _bad(lambda b: b["data"]["tracking_history"][0].pop("status")),
        "data.tracking_history[0].status",
    ),
    (
        "bad-date",
        _bad(lambda b: b["data"]["tracking_history"][0].update(status_date="yesterday")),
        "data.tracking_history[0].status_date",
    ),
    (
        "substatus-not-object",
        _bad(lambda b: b["data"]["tracking_history"][0].update(substatus="delayed")),
        "data.tracking_history[0].substatus",
    ),
    (
        "substatus-code-not-string",
        _bad(lambda b: b["data"]["tracking_history"][0].update(substatus={"code": 3})),
        "data.tracking_history[0].substatus.code",
    ),
    (
        "bad-current-date",
        _bad(lambda b: b["data"].update(tracking_status=_entry("TRANSIT", "soon"))),
        "data.tracking_status.status_date",
    ),
]

DEGRADED: list[tuple[Any, str, int]] = [
    (lambda b: b["data"]["tracking_history"][0].update(status_date=None), "status_date", 0),
    (lambda b: b["data"]["tracking_history"][0].update(location="Chicago"), "location", 1),
    (lambda b: b["data"].update(eta="next week"), "data.eta", 1),
    (lambda b: b["data"].update(carrier=None, servicelevel={"token": "usps_priority"}), "", 1),
]


@pytest.mark.parametrize(("mutate", "field", "kept"), DEGRADED)
def test_optional_fields_degrade_instead_of_refusing(mutate: Any, field: str, kept: int) -> None:
    parsed = shippo.parse(_bad(mutate))
    assert len(parsed) == kept
    assert isinstance(parsed, Parsed) and len(parsed.degraded) == 1
    assert parsed.degraded[0].endswith(field or "data.carrier"), parsed.degraded
    assert "[0]" not in parsed.degraded[0]  # a bounded label, without indices


def test_null_carrier_is_found_at_another_level() -> None:
    body = _body([_entry("TRANSIT", "2026-01-05T10:00:00Z")], carrier=None)
    body["carrier"] = "fedex"
    assert {cp.carrier for cp in shippo.parse(body)} == {"fedex"}
    body = _body([_entry("TRANSIT", "2026-01-05T10:00:00Z")], carrier=None)
    body["data"]["tracking_number"] = "1Z5R89390357567127"  # UPS, check digit right
    assert {cp.carrier for cp in shippo.parse(body)} == {"ups"}


def test_unknown_without_a_date_is_no_news_not_an_error() -> None:
    details = "The carrier has not yet provided any tracking information for this item."
    unknown = _entry("UNKNOWN", "", status_date=None, status_details=details, location=None)
    parsed = shippo.parse(_body([], unknown))
    assert (list(parsed), parsed.degraded) == ([], ())


@pytest.mark.parametrize(
    ("body", "path"), [(b, p) for _, b, p in BAD_PAYLOADS], ids=[n for n, *_ in BAD_PAYLOADS]
)
def test_bad_payload_names_the_path(body: Any, path: str) -> None:
    with pytest.raises(AdapterError) as info:
        shippo.parse(body)
    assert str(info.value).startswith(f"{path}:"), str(info.value)


def test_bad_payload_through_normalize_is_an_adapter_error() -> None:
    with pytest.raises(AdapterError, match=r"data\.tracking_history\[0\]\.status_date"):
        _events(_bad(lambda b: b["data"]["tracking_history"][0].update(status_date="")))
