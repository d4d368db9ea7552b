"""Builders of the inputs after-sales consumes (orders, status events as the normalizer
publishes them) and of policies, for tests, demos and benches."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from suivi_aftersales.domain.policy import AutoApproval, Policy
from suivi_schemas.common import Location
from suivi_schemas.events import ShipmentStatusEvent
from suivi_schemas.ids import checkpoint_event_id, derived_event_id
from suivi_schemas.orders import (
    Customer,
    LineItem,
    OrderEvent,
    OrderShipment,
    OrderSource,
)
from suivi_schemas.returns import ReturnMethod
from suivi_schemas.status import ShipmentStatus

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def order_event(
    merchant: str = "atelier", number: str = "A-1001", *, parcel: str = "6A11111111111",
    carrier: str = "laposte", locale: str = "fr", updated_at: datetime = T0,
) -> OrderEvent:  # fmt: skip
    """An order of two lines (2 shirts, 1 scarf) in one parcel."""
    return OrderEvent(
        event_id=derived_event_id("test-order", merchant, number, updated_at.isoformat()),
        merchant_id=merchant, order_number=number, source=OrderSource.API,
        placed_at=T0 - timedelta(days=3), updated_at=updated_at,
        customer=Customer(email="shopper@example.com", locale=locale),
        line_items=(
            LineItem(line_item_id="l1", title="Chemise lin", quantity=2, sku="SHIRT-M"),
            LineItem(line_item_id="l2", title="Écharpe", quantity=1, sku="SCARF"),
        ),
        shipments=(OrderShipment(carrier=carrier, tracking_number=parcel),),
    )  # fmt: skip


def status_event(
    number: str, status: ShipmentStatus, at: datetime, *, carrier: str = "laposte",
    city: str | None = "Lyon", postal_code: str | None = "69002",
) -> ShipmentStatusEvent:  # fmt: skip
    location = Location(city=city, postal_code=postal_code, country="FR") if city else None
    return ShipmentStatusEvent(
        event_id=checkpoint_event_id(
            carrier=carrier, tracking_number=number, occurred_at=at, code=status.value,
            city=city, country="FR",
        ),
        provider="laposte", carrier=carrier, tracking_number=number, status=status,
        location=location, occurred_at=at, received_at=at + timedelta(minutes=1),
        raw_event_id=uuid.uuid4(),
    )  # fmt: skip


def policy(*, auto: bool = False, window_days: int = 30) -> Policy:
    return Policy(
        window_days=window_days, ineligible_skus=("GIFT-CARD",), paid_by="merchant",
        methods=(ReturnMethod.DROP_OFF_LABEL, ReturnMethod.OWN_SHIPMENT),
        auto_approval=AutoApproval(enabled=auto), reminder_days=7, expire_days=14,
    )  # fmt: skip
