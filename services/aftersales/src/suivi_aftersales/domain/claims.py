"""Claims, pure: which reasons a parcel's timeline allows, and the conversation's states
(waiting for the merchant ↔ waiting for the shopper → resolved → closed), one event per change."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import datetime, timedelta

from suivi_schemas.claims import ClaimEventKind, ClaimOutcome, ClaimReason, ClaimState
from suivi_schemas.common import Location
from suivi_schemas.status import TERMINAL_STATUSES, ShipmentStatus

R = ClaimReason
S = ClaimState
OPEN = frozenset({S.WAITING_MERCHANT, S.WAITING_SHOPPER})


@dataclass(frozen=True, slots=True)
class Checkpoint:
    """One event of a parcel's timeline, as the evidence shows it."""

    event_id: str
    occurred_at: datetime
    status: ShipmentStatus
    location: Location | None
    message: str | None


@dataclass(frozen=True, slots=True)
class ClaimRules:
    not_received_after: timedelta = timedelta(hours=24)  # after a "delivered" scan
    first_response_target: timedelta = timedelta(hours=24)


def latest(timeline: list[Checkpoint]) -> Checkpoint | None:
    return max(timeline, key=lambda c: (c.occurred_at, c.event_id), default=None)


def offered_reasons(
    timeline: list[Checkpoint], rules: ClaimRules, now: datetime, *, alerted: bool = False
) -> tuple[ClaimReason, ...]:
    """The reasons that fit the parcel's state now: damaged/missing/wrong once delivered; not
    received only some hours after the "delivered" scan; lost once the carrier says so; late
    once the monitor says the parcel is stalled or late (`alerted`: an open episode)."""
    last = latest(timeline)
    if last is None:
        return ()
    if last.status is ShipmentStatus.DELIVERED:
        reasons = [R.DAMAGED, R.ITEM_MISSING, R.WRONG_ITEM]
        if now - last.occurred_at >= rules.not_received_after:
            reasons.insert(0, R.NOT_RECEIVED)
        return tuple(reasons)
    if last.status is ShipmentStatus.LOST:
        return (R.LOST,)
    if last.status not in TERMINAL_STATUSES and alerted:
        return (R.LATE,)
    return ()


@dataclass(frozen=True, slots=True)
class Claim:
    merchant_id: str
    claim_id: str
    order_number: str
    carrier: str
    tracking_number: str
    reason: ClaimReason
    state: ClaimState
    locale: str
    opened_at: datetime
    messages: int = 0
    photos: int = 0
    first_response_at: datetime | None = None
    resolved_at: datetime | None = None
    closed_at: datetime | None = None
    outcome: ClaimOutcome | None = None
    outcome_reason: str | None = None


@dataclass(frozen=True, slots=True)
class ClaimChange:
    claim: Claim
    kind: ClaimEventKind | None  # None: nothing changed
    sequence: int = 0


class ClaimRefusedError(Exception):
    def __init__(self, code: str, detail: str) -> None:
        super().__init__(detail)
        self.code, self.detail = code, detail


def message(claim: Claim, author: str, now: datetime) -> ClaimChange:
    """A message of the shopper or the merchant: the other side is now the one to answer."""
    if claim.state is S.CLOSED:
        raise ClaimRefusedError("claim_closed", "this claim is closed")
    count = claim.messages + 1
    if author == "merchant":
        first = claim.first_response_at or now
        state = S.WAITING_SHOPPER if claim.state in OPEN else claim.state
        changed = dataclasses.replace(claim, messages=count, first_response_at=first, state=state)
        return ClaimChange(changed, ClaimEventKind.MERCHANT_MESSAGE, count)
    state = S.WAITING_MERCHANT if claim.state in OPEN else claim.state
    changed = dataclasses.replace(claim, messages=count, state=state)
    return ClaimChange(changed, ClaimEventKind.SHOPPER_MESSAGE, count)


def resolve(claim: Claim, outcome: ClaimOutcome, reason: str | None, now: datetime) -> ClaimChange:
    if claim.state is S.RESOLVED and claim.outcome is outcome:
        return ClaimChange(claim, None)
    if claim.state not in OPEN:
        raise ClaimRefusedError(
            "invalid_transition", f"cannot resolve a claim that is {claim.state.value}"
        )
    if outcome is ClaimOutcome.REJECTED and not reason:
        raise ClaimRefusedError("reason_required", "a rejection says why")
    resolved = dataclasses.replace(
        claim, state=S.RESOLVED, outcome=outcome, outcome_reason=reason, resolved_at=now
    )
    return ClaimChange(resolved, ClaimEventKind.RESOLVED)


def close(claim: Claim, now: datetime) -> ClaimChange:
    if claim.state is S.CLOSED:
        return ClaimChange(claim, None)
    if claim.state is not S.RESOLVED:
        raise ClaimRefusedError("invalid_transition", "only a resolved claim can be closed")
    return ClaimChange(
        dataclasses.replace(claim, state=S.CLOSED, closed_at=now), ClaimEventKind.CLOSED
    )


def response_breached(claim: Claim, rules: ClaimRules, now: datetime) -> bool:
    """The merchant's first answer came (or is still missing) after the target."""
    answered = claim.first_response_at or now
    return answered - claim.opened_at > rules.first_response_target
