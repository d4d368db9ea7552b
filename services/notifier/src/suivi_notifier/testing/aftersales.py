"""Return and claim events as after-sales publishes them (deterministic ids), for tests, the
bench and the demo: one return's whole journey, and a claim's changes."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

from suivi_schemas import Location
from suivi_schemas.claims import (
    ClaimEvent,
    ClaimEventKind,
    ClaimOutcome,
    ClaimReason,
    ClaimState,
    claim_event_id,
)
from suivi_schemas.returns import (
    Deposit,
    Resolution,
    ReturnEvent,
    ReturnEventKind,
    ReturnItem,
    ReturnMethod,
    ReturnParcel,
    ReturnState,
    return_event_id,
)

K = ReturnEventKind
# kind → the state the return is in after it
_STATE = {
    K.REQUESTED: ReturnState.REQUESTED, K.APPROVED: ReturnState.APPROVED,
    K.TRACKING_ATTACHED: ReturnState.APPROVED, K.REMINDER: ReturnState.APPROVED,
    K.DROPPED_OFF: ReturnState.DROPPED_OFF, K.IN_TRANSIT: ReturnState.IN_TRANSIT,
    K.RECEIVED: ReturnState.RECEIVED, K.INSPECTED: ReturnState.INSPECTED,
    K.REFUNDED: ReturnState.REFUNDED, K.EXCHANGED: ReturnState.EXCHANGED,
    K.REJECTED: ReturnState.REJECTED, K.EXPIRED: ReturnState.EXPIRED,
}  # fmt: skip
JOURNEY: tuple[ReturnEventKind, ...] = (
    K.REQUESTED, K.APPROVED, K.TRACKING_ATTACHED, K.DROPPED_OFF, K.IN_TRANSIT, K.RECEIVED,
    K.INSPECTED, K.REFUNDED,
)  # fmt: skip


def return_event(
    kind: ReturnEventKind,
    at: datetime,
    *,
    merchant: str = "shop",
    order_number: str = "1001",
    rma: str = "R-7KQ2M9XA",
    method: ReturnMethod = ReturnMethod.DROP_OFF_LABEL,
    locale: str = "en",
    parcel: tuple[str, str] | None = ("colissimo", "6A12345678901"),
    amount: str = "39.90",
) -> ReturnEvent:
    order = JOURNEY.index(kind) if kind in JOURNEY else 0
    reached = order >= JOURNEY.index(K.TRACKING_ATTACHED)
    detail = parcel[1] if kind is K.TRACKING_ATTACHED and parcel else ""
    return ReturnEvent(
        event_id=return_event_id(merchant, rma, kind.value, detail),
        kind=kind, merchant_id=merchant, return_id=rma, order_number=order_number,
        state=_STATE[kind], occurred_at=at, method=method,
        items=(ReturnItem(line_item_id="L1", sku="TEE-M", quantity=1, reason="too_small"),),
        locale=locale,
        parcel=ReturnParcel(carrier=parcel[0], tracking_number=parcel[1])
        if parcel and reached else None,
        deposit=Deposit(occurred_at=at, location=Location(city="Lyon", country="FR"))
        if order >= JOURNEY.index(K.DROPPED_OFF) else None,
        resolution=Resolution(amount=Decimal(amount), currency="EUR")
        if kind is K.REFUNDED else None,
        rejection_reason="Worn item" if kind is K.REJECTED else None,
    )  # fmt: skip


def return_journey(start: datetime, **kwargs: object) -> list[ReturnEvent]:
    """Requested → refunded, one event a minute."""
    return [
        return_event(kind, start + timedelta(minutes=i), **kwargs)  # type: ignore[arg-type]
        for i, kind in enumerate(JOURNEY)
    ]


def claim_event(
    kind: ClaimEventKind,
    at: datetime,
    *,
    messages: int = 1,
    merchant: str = "shop",
    order_number: str = "1001",
    claim_id: str = "C-4HW8PZ3N",
    outcome: ClaimOutcome | None = None,
    locale: str = "en",
) -> ClaimEvent:
    sequence = (
        messages if kind in (ClaimEventKind.SHOPPER_MESSAGE, ClaimEventKind.MERCHANT_MESSAGE) else 0
    )
    state = {
        ClaimEventKind.OPENED: ClaimState.WAITING_MERCHANT,
        ClaimEventKind.SHOPPER_MESSAGE: ClaimState.WAITING_MERCHANT,
        ClaimEventKind.MERCHANT_MESSAGE: ClaimState.WAITING_SHOPPER,
        ClaimEventKind.RESOLVED: ClaimState.RESOLVED,
        ClaimEventKind.CLOSED: ClaimState.CLOSED,
    }[kind]
    return ClaimEvent(
        event_id=claim_event_id(merchant, claim_id, kind.value, sequence),
        kind=kind, merchant_id=merchant, claim_id=claim_id, order_number=order_number,
        carrier="ups", tracking_number="1Z999AA10123456784", reason=ClaimReason.DAMAGED,
        state=state, occurred_at=at, messages=messages, photos=1, outcome=outcome,
        outcome_reason="Photos show no damage" if outcome is ClaimOutcome.REJECTED else None,
        locale=locale,
    )  # fmt: skip
