"""Return and claim events as after-sales publishes them (deterministic ids), for tests."""

from __future__ import annotations

from datetime import datetime

from suivi_schemas.claims import ClaimEvent, ClaimEventKind, ClaimReason, ClaimState, claim_event_id
from suivi_schemas.returns import (
    ReturnEvent,
    ReturnEventKind,
    ReturnItem,
    ReturnMethod,
    ReturnState,
    return_event_id,
)


def return_event(
    merchant_id: str, return_id: str, order_number: str, kind: ReturnEventKind,
    state: ReturnState, at: datetime, detail: str = "",
) -> ReturnEvent:  # fmt: skip
    """The event of `kind` leaving the return in `state` (its id: the return and the kind)."""
    return ReturnEvent(
        event_id=return_event_id(merchant_id, return_id, kind.value, detail),
        kind=kind, merchant_id=merchant_id, return_id=return_id, order_number=order_number,
        state=state, occurred_at=at, method=ReturnMethod.DROP_OFF_LABEL,
        items=(ReturnItem(line_item_id="li-1", quantity=1, reason="too_small"),),
    )  # fmt: skip


def claim_event(
    merchant_id: str, claim_id: str, order_number: str, kind: ClaimEventKind,
    state: ClaimState, at: datetime, messages: int, reason: ClaimReason = ClaimReason.DAMAGED,
) -> ClaimEvent:  # fmt: skip
    """The claim's change of `kind`, its thread `messages` long (the id's sequence)."""
    sequence = messages if kind.value.endswith("message") else 0
    return ClaimEvent(
        event_id=claim_event_id(merchant_id, claim_id, kind.value, sequence),
        kind=kind, merchant_id=merchant_id, claim_id=claim_id, order_number=order_number,
        carrier="ups", tracking_number="1ZCLAIM1", reason=reason, state=state, occurred_at=at,
        messages=messages, photos=0,
    )  # fmt: skip
