"""A return's change as a `commerce.returns.v1` event: what the return is now, and why."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from suivi_aftersales.domain.returns import Emitted, Return
from suivi_schemas.ids import shipment_key
from suivi_schemas.returns import (
    Deposit,
    Resolution,
    ReturnEvent,
    ReturnItem,
    ReturnParcel,
    return_event_id,
)


def return_event(
    ret: Return, emitted: Emitted, occurred_at: datetime, drop_off_by: datetime | None = None
) -> ReturnEvent:
    parcel = None
    if ret.parcel_carrier and ret.parcel_number:
        parcel = ReturnParcel(carrier=ret.parcel_carrier, tracking_number=ret.parcel_number)
    deposit = None
    if ret.deposit_at is not None:
        deposit = Deposit(occurred_at=ret.deposit_at, location=ret.deposit_location)
    resolution = None
    if ret.amount is not None and ret.currency is not None:
        resolution = Resolution(amount=Decimal(ret.amount), currency=ret.currency)
    return ReturnEvent.model_validate(
        {
            "event_id": return_event_id(
                ret.merchant_id, ret.return_id, emitted.kind.value, emitted.detail
            ),
            "kind": emitted.kind,
            "merchant_id": ret.merchant_id,
            "return_id": ret.return_id,
            "order_number": ret.order_number,
            "state": ret.state,
            "occurred_at": occurred_at,
            "method": ret.method,
            "items": [
                ReturnItem(
                    line_item_id=i.line_item_id, sku=i.sku, quantity=i.quantity, reason=i.reason
                )
                for i in ret.items
            ],
            "locale": ret.locale,
            "parcel": parcel,
            "deposit": deposit,
            "resolution": resolution,
            "rejection_reason": ret.rejection_reason,
            "drop_off_by": drop_off_by,
        }
    )


def parcel_key(ret: Return) -> str | None:
    if ret.parcel_carrier and ret.parcel_number:
        return shipment_key(ret.parcel_carrier, ret.parcel_number)
    return None
