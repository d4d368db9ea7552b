"""The shared contracts: vocabulary, deterministic ids, validation, exported JSON Schemas."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from pydantic import ValidationError

from suivi_schemas import (
    ALL_TOPICS,
    EstimatedDelivery,
    EstimateSource,
    IngestMetadata,
    RawProviderEvent,
    ShipmentStatus,
    ShipmentStatusEvent,
    checkpoint_event_id,
    shipment_key,
)
from suivi_schemas.export import DEFAULT_DIR, render

PARIS_WINTER = timezone(timedelta(hours=1))


def _event(**overrides: object) -> ShipmentStatusEvent:
    at = datetime(2026, 11, 20, 9, 30, tzinfo=PARIS_WINTER)
    fields: dict[str, object] = {
        "event_id": uuid.uuid4(),
        "provider": "easypost",
        "carrier": "laposte",
        "tracking_number": "6A12345678901",
        "status": "in_transit",
        "occurred_at": at,
        "received_at": at,
        "raw_event_id": uuid.uuid4(),
    }
    fields.update(overrides)
    return ShipmentStatusEvent.model_validate(fields)


def test_status_vocabulary_is_exactly_the_contract() -> None:
    assert [s.value for s in ShipmentStatus] == [
        "pending", "info_received", "in_transit", "out_for_delivery", "available_for_pickup",
        "delivery_attempt_failed", "delivered", "exception", "returning_to_sender",
        "returned_to_sender", "lost", "cancelled", "expired",
    ]  # fmt: skip


def test_unknown_status_is_rejected() -> None:
    with pytest.raises(ValidationError, match="status"):
        _event(status="teleported")


def test_naive_times_are_rejected() -> None:
    with pytest.raises(ValidationError, match="timezone"):
        _event(occurred_at=datetime(2026, 11, 20, 9, 30))


def test_offset_is_kept_through_json() -> None:
    event = _event()
    back = ShipmentStatusEvent.model_validate_json(event.model_dump_json())
    assert back == event
    assert back.occurred_at.utcoffset() == timedelta(hours=1)


def test_country_must_be_iso_alpha2() -> None:
    assert _event(location={"city": "Lyon", "country": "fr"}).location.country == "FR"  # type: ignore[union-attr]
    with pytest.raises(ValidationError, match="ISO 3166-1"):
        _event(location={"country": "France"})


def test_checkpoint_id_is_deterministic_and_ignores_presentation() -> None:
    at = datetime(2026, 11, 20, 9, 30, 12, 345000, tzinfo=PARIS_WINTER)
    a = checkpoint_event_id(
        carrier="UPS", tracking_number="1z 999-aa1", occurred_at=at, code="D", city="Évry "
    )
    b = checkpoint_event_id(
        carrier="ups",
        tracking_number="1Z999AA1",
        occurred_at=at.astimezone(UTC),
        code="d",
        city="évry",
    )
    assert a == b
    assert a != checkpoint_event_id(
        carrier="ups", tracking_number="1Z999AA1", occurred_at=at, code="I", city="évry"
    )
    assert a != checkpoint_event_id(
        carrier="ups",
        tracking_number="1Z999AA1",
        occurred_at=at + timedelta(seconds=1),
        code="D",
        city="évry",
    )


def test_shipment_key_normalizes() -> None:
    assert shipment_key("UPS", "1z 999 aa1") == "ups:1Z999AA1"
    assert _event(carrier="LaPoste").key == "laposte:6A12345678901"


def test_estimate_window_must_be_ordered() -> None:
    today = datetime(2026, 11, 20, tzinfo=UTC).date()
    assert EstimatedDelivery.on(today, EstimateSource.CARRIER).latest == today
    with pytest.raises(ValidationError, match="ends before"):
        EstimatedDelivery(
            earliest=today, latest=today - timedelta(days=1), source=EstimateSource.PREDICTED
        )


def test_raw_event_keeps_body_exactly() -> None:
    body = '{"msg": {"title": "Colis livré à Évry ✓"}}'
    raw = RawProviderEvent(
        event_id=uuid.uuid4(),
        provider="aftership",
        received_at=datetime.now(UTC),
        content_type="application/json",
        body=body,
        body_sha256=RawProviderEvent.digest(body.encode()),
        ingest=IngestMetadata(
            request_id="r1", signature_scheme="hmac-sha256-base64", content_length=len(body)
        ),
    )
    back = RawProviderEvent.model_validate_json(raw.model_dump_json())
    assert back.body == body
    assert RawProviderEvent.digest(back.body.encode()) == raw.body_sha256


def test_topic_names_are_unique_and_versioned() -> None:
    names = [t.name for t in ALL_TOPICS]
    assert len(set(names)) == len(names)
    assert all(n.split(".")[-1].startswith("v") for n in names)


def test_committed_json_schemas_match_the_models() -> None:
    """Fails when a model changed without `make schemas`."""
    expected = render()
    committed = {p.name: p.read_text(encoding="utf-8") for p in Path(DEFAULT_DIR).glob("*.json")}
    assert committed.keys() == expected.keys(), "run `make schemas`"
    for name, text in expected.items():
        assert committed[name] == text, f"{name} drifted from the models: run `make schemas`"


def test_asyncapi_has_every_topic_and_every_reference_resolves() -> None:
    import json
    import re

    from suivi_schemas.export import asyncapi

    doc = asyncapi()
    assert doc["asyncapi"] == "3.0.0"
    assert {c["address"] for c in doc["channels"].values()} == {t.name for t in ALL_TOPICS}
    text = json.dumps(doc)
    refs = set(re.findall(r'"#/components/(schemas|messages)/([^"]+)"', text))
    assert refs, "no references at all"
    assert all(name in doc["components"][kind] for kind, name in refs)
    status = doc["components"]["schemas"]["ShipmentStatusEvent"]
    assert "event_id" in status["properties"]
