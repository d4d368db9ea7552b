"""An order's returns and claims as the shopper's dashboard lists them (pure): one `Case` per
return or claim, the latest version of it, from `commerce.returns.v1` / `commerce.claims.v1`.

Events carry what the case is now, but arrive in any order and more than once. Each has a
version, `(stage, step, occurred_at, event_id)`, and the case keeps its highest one: a return's
state only moves forward (stage: its rank), a claim only goes from open to resolved to closed
(stage) and its thread only grows (step: the message count); the time, then the deterministic
event id, settle what the states leave equal. So the same set of events gives the same case in
any order, and a duplicate (same id, same version) changes nothing.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from uuid import UUID

from suivi_schemas.claims import ClaimEvent, ClaimState
from suivi_schemas.returns import ReturnEvent, ReturnState

R = ReturnState
C = ClaimState


class CaseKind(StrEnum):
    RETURN = "return"
    CLAIM = "claim"


# Forward only (the after-sales state machine); every final state ends the return.
RETURN_STAGE = {
    R.REQUESTED: 0, R.APPROVED: 1, R.DROPPED_OFF: 2, R.IN_TRANSIT: 3, R.RECEIVED: 4,
    R.INSPECTED: 5, R.REJECTED: 6, R.REFUNDED: 6, R.EXCHANGED: 6, R.EXPIRED: 6,
}  # fmt: skip
CLAIM_STAGE = {C.WAITING_MERCHANT: 0, C.WAITING_SHOPPER: 0, C.RESOLVED: 1, C.CLOSED: 2}
OPEN_RETURN = frozenset(s for s, stage in RETURN_STAGE.items() if stage < 6)
OPEN_CLAIM = frozenset({C.WAITING_MERCHANT, C.WAITING_SHOPPER})

Version = tuple[int, int, datetime, UUID]


@dataclass(frozen=True, slots=True)
class Case:
    """One return or claim of an order, as its latest event says."""

    kind: CaseKind
    merchant_id: str
    case_id: str  # the RMA number, or the claim's id
    order_number: str
    state: str  # a ReturnState or ClaimState value
    reason: str | None  # a claim's reason (ClaimReason value); None for returns
    stage: int
    step: int
    occurred_at: datetime
    event_id: UUID

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.merchant_id, self.kind.value, self.case_id)

    @property
    def version(self) -> Version:
        return (self.stage, self.step, self.occurred_at, self.event_id)

    @property
    def is_open(self) -> bool:
        if self.kind is CaseKind.RETURN:
            return self.state in OPEN_RETURN
        return self.state in OPEN_CLAIM


def case_of(event: ReturnEvent | ClaimEvent) -> Case:
    if isinstance(event, ReturnEvent):
        return Case(
            CaseKind.RETURN, event.merchant_id, event.return_id, event.order_number,
            event.state.value, None, RETURN_STAGE[event.state], 0, event.occurred_at,
            event.event_id,
        )  # fmt: skip
    return Case(
        CaseKind.CLAIM, event.merchant_id, event.claim_id, event.order_number, event.state.value,
        event.reason.value, CLAIM_STAGE[event.state], event.messages, event.occurred_at,
        event.event_id,
    )  # fmt: skip


def merge(current: Case | None, incoming: Case) -> Case | None:
    """The case after `incoming`, or None when it changes nothing (older, or the same)."""
    if current is not None and incoming.version <= current.version:
        return None
    return incoming


def latest(cases: Iterable[Case]) -> dict[tuple[str, str, str], Case]:
    """The latest version of each case among `cases` (a batch may carry several of one)."""
    found: dict[tuple[str, str, str], Case] = {}
    for case in cases:
        merged = merge(found.get(case.key), case)
        if merged is not None:
            found[case.key] = merged
    return found
