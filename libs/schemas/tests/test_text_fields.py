"""Identifiers with control characters are invalid input; free text never carries U+0000
(PostgreSQL text cannot hold it): issue 12, a NUL tracking number stalled the notifier."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest
from pydantic import ValidationError

from suivi_schemas import ShipmentAlert, ShipmentStatusEvent
from suivi_schemas.orders import Address, Customer, LineItem, OrderEvent, OrderShipment

AT = datetime(2026, 11, 20, 9, 30, tzinfo=UTC)


def _event(**overrides: object) -> ShipmentStatusEvent:
    fields: dict[str, object] = {
        "event_id": uuid.uuid4(),
        "provider": "suivi",
        "carrier": "ups",
        "tracking_number": "1Z999AA10123456784",
        "status": "in_transit",
        "occurred_at": AT,
        "received_at": AT,
        "raw_event_id": uuid.uuid4(),
    }
    return ShipmentStatusEvent.model_validate(fields | overrides)


@pytest.mark.parametrize(
    "number",
    [
        "1Z999\x00AA1",  # NUL: PostgreSQL text cannot hold it
        "1Z999\x1bAA1",  # C0
        "1Z999\x7fAA1",  # DEL
        "1Z999\x85AA1",  # C1
        "1Z999\u200bAA1",  # zero-width space (format)
        "1Z999\u202eAA1",  # right-to-left override
        "1Z999\ud800AA1",  # lone surrogate: not UTF-8 encodable
        "1Z999\u2028AA1",  # line separator
    ],
)
def test_identifiers_with_control_or_invisible_characters_are_invalid(number: str) -> None:
    with pytest.raises(ValidationError, match="tracking_number"):
        _event(tracking_number=number)
    with pytest.raises(ValidationError, match="tracking_number"):
        OrderShipment(carrier="ups", tracking_number=number)
    with pytest.raises(ValidationError, match="tracking_number"):
        ShipmentAlert.model_validate(
            {"event_id": uuid.uuid4(), "episode_id": uuid.uuid4(), "kind": "stalled",
             "carrier": "ups", "tracking_number": number, "status": "in_transit",
             "last_event_at": AT, "detected_at": AT}
        )  # fmt: skip


def test_the_reported_webhook_event_is_invalid_from_its_json() -> None:
    body = _event().model_dump_json().replace("1Z999AA10123456784", "1Z999AA1\\u00000123456784")
    with pytest.raises(ValidationError) as raised:
        ShipmentStatusEvent.model_validate_json(body)
    assert [e["loc"] for e in raised.value.errors()] == [("tracking_number",)]


def test_ordinary_identifiers_stay_valid() -> None:
    assert _event(tracking_number="CP 123 456 785 FR").tracking_number == "CP 123 456 785 FR"
    assert _event(raw_code="DÉPÔT-1").raw_code == "DÉPÔT-1"


def test_other_identifiers_of_an_order_refuse_control_characters() -> None:
    with pytest.raises(ValidationError, match="order_number"):
        OrderEvent.model_validate(_order(order_number="A\x001"))
    for field in ("line_item_id", "sku"):
        line = {"line_item_id": "li-1", "title": "Mug", "quantity": 1} | {field: "li\x01"}
        with pytest.raises(ValidationError, match=field):
            LineItem.model_validate(line)


def test_free_text_loses_its_nul_and_keeps_the_rest() -> None:
    event = _event(raw_message="Colis\x00 en cours\tde livraison", location={"city": "Ly\x00on"})
    assert event.raw_message == "Colis en cours\tde livraison"
    assert event.location is not None and event.location.city == "Lyon"
    assert Customer(name="Ja\x00ne").name == "Jane"
    assert Address(line1="1 rue\x00 X").line1 == "1 rue X"
    assert LineItem(line_item_id="1", title="Mug\x00", quantity=1).title == "Mug"


def _order(**overrides: object) -> dict[str, object]:
    fields: dict[str, object] = {
        "event_id": uuid.uuid4(), "merchant_id": "shop", "order_number": "1001",
        "source": "api", "placed_at": AT, "updated_at": AT, "customer": {},
    }  # fmt: skip
    return fields | overrides
