"""A claim's change as a `commerce.claims.v1` event (counts only: no text, no photo)."""

from __future__ import annotations

from datetime import datetime

from suivi_aftersales.domain.claims import Claim
from suivi_schemas.claims import ClaimEvent, ClaimEventKind, claim_event_id


def claim_event(claim: Claim, kind: ClaimEventKind, sequence: int, at: datetime) -> ClaimEvent:
    return ClaimEvent(
        event_id=claim_event_id(claim.merchant_id, claim.claim_id, kind.value, sequence),
        kind=kind, merchant_id=claim.merchant_id, claim_id=claim.claim_id,
        order_number=claim.order_number, carrier=claim.carrier,
        tracking_number=claim.tracking_number, reason=claim.reason, state=claim.state,
        occurred_at=at, messages=claim.messages, photos=claim.photos, outcome=claim.outcome,
        outcome_reason=claim.outcome_reason, locale=claim.locale,
    )  # fmt: skip
