"""Which shipments of an order start trackings, with what the order says of the destination."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from suivi_schemas.orders import Address, Customer, OrderEvent, OrderShipment, OrderSource
from suivi_tracker.handlers.intake import shipment_requests

AT = datetime(2026, 3, 2, 9, tzinfo=UTC)


def test_active_shipments_start_trackings_with_the_destination() -> None:
    order = OrderEvent(
        event_id=uuid.uuid4(), merchant_id="shop-a", order_number="1001",
        source=OrderSource.API, placed_at=AT, updated_at=AT, customer=Customer(),
        shipping_address=Address(postal_code="75015", country="FR"),
        shipments=(
            OrderShipment(carrier="laposte", tracking_number="6A12345678901", shipped_at=AT),
            OrderShipment(carrier="ups", tracking_number="1Z999AA10123456784", state="cancelled"),
        ),
    )  # fmt: skip
    [request] = shipment_requests(order)
    assert (request.tracking_number, request.carrier, request.postal_code, request.country) == (
        "6A12345678901", "laposte", "75015", "FR",
    )  # fmt: skip
    assert (request.merchant_id, request.order_number, request.ship_date) == (
        "shop-a", "1001", AT.date(),
    )  # fmt: skip
    assert request.detect_unknown_carrier
