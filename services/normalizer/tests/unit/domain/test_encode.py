"""The hot path's bytes are the contract's: for every golden fixture they validate against
ShipmentStatusEvent and equal what the validating path (`to_event` + `model_dump_json`) gives."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, date, datetime, timedelta, timezone, tzinfo
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from suivi_normalizer.domain.encode import AS_IS, MODELS, STRINGS, TIMES, encode, encode_new
from suivi_normalizer.domain.normalize import checkpoint_id, normalize, normalize_new, to_event
from suivi_normalizer.providers import AdapterError, Checkpoint, Meaning
from suivi_normalizer.testing.golden import raw_event
from suivi_schemas import (
    EstimatedDelivery,
    EstimateSource,
    Location,
    ShipmentStatus,
    ShipmentStatusEvent,
    Substatus,
)

FIXTURE_DIR = Path(__file__).parents[2] / "fixtures"
FIXTURES = sorted(FIXTURE_DIR.glob("*/*.json"))


def slow_bytes(provider: str, body: str) -> list[bytes]:
    return [e.model_dump_json().encode() for e in normalize(raw_event(provider, body))]


@pytest.mark.parametrize("fixture", FIXTURES, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_every_golden_fixture_encodes_to_the_validating_paths_bytes(fixture: Path) -> None:
    provider, body = fixture.parent.name, fixture.read_text(encoding="utf-8")
    try:
        expected = slow_bytes(provider, body)
    except (AdapterError, ValidationError) as exc:
        # A bad payload fails the same way on both paths (and is dead-lettered).
        with pytest.raises(type(exc)):
            encode_new(raw_event(provider, body))
        return
    encoded, skipped = encode_new(raw_event(provider, body))
    assert skipped == 0
    assert [e.value for e in encoded] == expected
    events = normalize(raw_event(provider, body))
    for fast, event in zip(encoded, events, strict=True):
        assert ShipmentStatusEvent.model_validate_json(fast.value) == event
        assert (fast.event_id, fast.key) == (event.event_id, event.key.encode())
        assert (fast.status, fast.substatus, fast.raw_code) == (
            event.status,
            event.substatus,
            event.raw_code,
        )


def test_the_fixtures_cover_every_provider_and_decode() -> None:
    assert len({p.parent.name for p in FIXTURES}) >= 10
    assert sum(len(slow_bytes(p.parent.name, p.read_text())) for p in FIXTURES[:5]) > 0


def test_checkpoints_already_known_are_skipped_alike() -> None:
    raw = raw_event("easypost", (FIXTURE_DIR / "easypost/delivered_fedex.json").read_text())
    first = normalize(raw)[0].event_id
    slow, slow_skipped = normalize_new(raw, {first})
    fast, fast_skipped = encode_new(raw, {first})
    assert (fast_skipped, [e.event_id for e in fast]) == (slow_skipped, [e.event_id for e in slow])
    assert fast_skipped == 1


def checkpoint(**changes: object) -> Checkpoint:
    fields: dict[str, object] = {
        "carrier": "ups",
        "tracking_number": "1Z999AA10123456784",
        "occurred_at": datetime(2026, 3, 1, 9, 30, tzinfo=UTC),
        "code": "I",
        "meaning": Meaning(ShipmentStatus.IN_TRANSIT, Substatus.IN_TRANSIT),
        "known": True,
        "message": "Departed",
        "location": Location(city="Lyon", country="FR"),
    }
    return Checkpoint(**{**fields, **changes})  # type: ignore[arg-type]


def assert_same(cp: Checkpoint) -> None:
    raw = raw_event("ups", "{}")
    fast = encode(cp, checkpoint_id(cp), raw)
    assert fast.value == to_event(cp, checkpoint_id(cp), "ups", raw).model_dump_json().encode()


@pytest.mark.parametrize(
    "changes",
    [
        {"carrier": "UPS"},  # the model lower-cases slugs: the fast path gives the same
        {"message": "a\x00b"},  # U+0000 removed, as PostgreSQL needs
        {"message": "lone \ud800 surrogate"},
        {"code": "é\n\t\"'\\\u2028\x7f"},
        {"occurred_at": datetime(1900, 1, 1, tzinfo=ZoneInfo("Europe/Paris"))},  # +00:09:21
        {"occurred_at": datetime(2026, 1, 1, 1, 2, 3, 4, tzinfo=timezone(timedelta(hours=-9)))},
        {"location": None, "message": None},
    ],
)
def test_unusual_values_give_the_validating_paths_bytes(changes: dict[str, object]) -> None:
    assert_same(checkpoint(**changes))


@pytest.mark.parametrize("changes", [{"carrier": "no spaces"}, {"tracking_number": "1Z\x00"}])
def test_invalid_values_raise_the_models_validation_error(changes: dict[str, object]) -> None:
    cp = checkpoint(**changes)
    with pytest.raises(ValidationError, match="ShipmentStatusEvent"):
        encode(cp, checkpoint_id(cp), raw_event("ups", "{}"))


@settings(max_examples=200, deadline=None)
@given(
    message=st.text(max_size=40),
    city=st.text(min_size=1, max_size=20),
    at=st.datetimes(
        min_value=datetime(1900, 1, 1), max_value=datetime(2100, 1, 1), timezones=st.timezones()
    ),
)
def test_any_text_and_time_give_the_validating_paths_bytes(
    message: str, city: str, at: datetime
) -> None:
    assert_same(checkpoint(message=message, location=Location(city=city), occurred_at=at))


def test_the_fast_path_leaves_no_field_out() -> None:
    cp = checkpoint()
    value = encode(cp, checkpoint_id(cp), raw_event("ups", "{}")).value
    # Every field but those the model leaves out when absent (revision_of), in the model's order.
    fields = [f for f in ShipmentStatusEvent.model_fields if f != "revision_of"]
    assert list(json.loads(value)) == fields


def test_every_field_of_the_model_is_classified_for_the_fast_path() -> None:
    groups = (STRINGS, TIMES, MODELS, AS_IS)
    assert set(ShipmentStatusEvent.model_fields) <= {name for group in groups for name in group}


def test_a_revision_gives_the_validating_paths_bytes_with_revision_of_in_the_models_place() -> None:
    window = EstimatedDelivery(
        earliest=date(2026, 3, 4), latest=date(2026, 3, 5), source=EstimateSource.CARRIER
    )
    cp = checkpoint(estimated_delivery=window)
    raw = raw_event("ups", "{}")
    of = checkpoint_id(cp)
    fast = encode(cp, uuid.uuid4(), raw, of)
    assert fast.value == to_event(cp, fast.event_id, "ups", raw, of).model_dump_json().encode()
    assert list(json.loads(fast.value)) == list(ShipmentStatusEvent.model_fields)


def test_an_empty_location_is_no_location_on_both_paths() -> None:
    assert_same(checkpoint(location=Location()))
    assert_same(checkpoint(tracking_number="1z 999-aa1 0123456784", code=" I "))


def test_equal_locations_built_apart_give_the_validating_paths_bytes() -> None:
    for city in ("Lyon", "Lyon", "Lyon ", "lyon", None):
        assert_same(checkpoint(location=Location(city=city, postal_code="69001", country="FR")))
    assert_same(checkpoint(location=Location(region="Rhône", country="FR")))
    assert_same(checkpoint(location=Location(postal_code="69001")))


def test_offsets_are_judged_per_fixed_zone_as_per_time() -> None:
    """The per-zone cache of fixed offsets gives each time's own verdict (an offset with
    seconds, as old local mean times have, is not orjson's to write)."""
    from suivi_normalizer.domain import encode

    zones: list[tzinfo] = [UTC, timezone(timedelta(hours=5, minutes=45))]
    zones += [timezone(timedelta(hours=-3))]
    zones += [timezone(timedelta(seconds=561)), timezone(timedelta(minutes=-1, seconds=-15))]
    zones += [ZoneInfo("Europe/Paris"), ZoneInfo("Asia/Kolkata")]
    for zone in zones:
        for year in (1890, 1950, 2026):
            at = datetime(year, 6, 1, 12, tzinfo=zone)
            offset = at.utcoffset()
            assert offset is not None
            expected = offset.seconds % 60 == 0 and offset.microseconds == 0
            assert encode._exact_offset(at) is expected
            assert encode._exact_offset(at) is expected  # from the cache
    assert not encode._exact_offset(datetime(2026, 6, 1, 12))  # naive: no offset
