"""Returns and claims (commerce.returns.v1, commerce.claims.v1): which changes tell the shopper,
under which ledger trigger, and which tell nobody.

Rules:
- each change is kept once by its deterministic event id, and a shopper message is one ledger
  row per (return or claim, trigger, channel): a replayed or duplicated event never makes a
  second message;
- a change is placed on its return's (claim's) journey by (occurred_at, step): once a later
  step has been planned, an earlier one read late is moot (`older`) and tells nobody; changes
  read together are planned in journey order, so a reordered replay tells each step once;
- only some kinds tell the shopper (below); the others are for the merchant's webhook only;
- not told: a change older than the notification horizon, a change for an order the notifier
  does not know, or when no channel the shopper opted into can be reached.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from suivi_notifier.domain.planning import CHANNELS, Capabilities, Recipient, reachable
from suivi_schemas import Channel
from suivi_schemas.claims import ClaimEvent, ClaimEventKind
from suivi_schemas.returns import ReturnEvent, ReturnEventKind, ReturnMethod

RETURN = "return"
CLAIM = "claim"
STREAMS: frozenset[str] = frozenset((RETURN, CLAIM))

# Where a kind sits on the journey when two changes share an instant (a parcel's facts can
# move a return through several steps at once).
_RETURN_STEPS: dict[ReturnEventKind, int] = {
    ReturnEventKind.REQUESTED: 0,
    ReturnEventKind.APPROVED: 1,
    ReturnEventKind.TRACKING_ATTACHED: 2,
    ReturnEventKind.REMINDER: 3,
    ReturnEventKind.EXPIRED: 4,
    ReturnEventKind.DROPPED_OFF: 5,
    ReturnEventKind.IN_TRANSIT: 6,
    ReturnEventKind.RECEIVED: 7,
    ReturnEventKind.INSPECTED: 8,
    ReturnEventKind.REFUNDED: 9,
    ReturnEventKind.EXCHANGED: 9,
    ReturnEventKind.REJECTED: 10,
}
_CLAIM_STEPS: dict[ClaimEventKind, int] = {
    ClaimEventKind.OPENED: 0,
    ClaimEventKind.SHOPPER_MESSAGE: 1,
    ClaimEventKind.MERCHANT_MESSAGE: 1,
    ClaimEventKind.RESOLVED: 2,
    ClaimEventKind.CLOSED: 3,
}
# What the shopper hears about (a label only when the merchant made it: a number the shopper
# typed from their own receipt needs no message).
RETURN_SHOPPER_KINDS: frozenset[ReturnEventKind] = frozenset(
    {
        ReturnEventKind.APPROVED,
        ReturnEventKind.REJECTED,
        ReturnEventKind.TRACKING_ATTACHED,
        ReturnEventKind.REMINDER,
        ReturnEventKind.EXPIRED,
        ReturnEventKind.DROPPED_OFF,
        ReturnEventKind.RECEIVED,
        ReturnEventKind.REFUNDED,
        ReturnEventKind.EXCHANGED,
    }
)
CLAIM_SHOPPER_KINDS: frozenset[ClaimEventKind] = frozenset(
    {ClaimEventKind.OPENED, ClaimEventKind.MERCHANT_MESSAGE, ClaimEventKind.RESOLVED}
)

AftersalesEvent = ReturnEvent | ClaimEvent


@dataclass(frozen=True, slots=True)
class Change:
    """One return or claim event, as the notifier places and tells it."""

    event_id: uuid.UUID
    stream: str  # 'return' or 'claim'
    kind: str
    merchant_id: str
    order_number: str
    number: str  # the RMA or the claim number
    occurred_at: datetime
    step: int  # tie-break within an instant, then the thread's length for claims
    shopper: str | None  # the ledger trigger when the shopper is told, else None

    @property
    def subject(self) -> str:
        """The ledger's key for this return or claim (never a carrier:number key)."""
        return f"{self.stream}:{self.merchant_id}:{self.number}"

    @property
    def position(self) -> tuple[datetime, int]:
        return (self.occurred_at, self.step)

    @property
    def webhook_type(self) -> str:
        return f"{self.stream}.{self.kind}"


def of_return(event: ReturnEvent) -> Change:
    kind = event.kind
    told = kind in RETURN_SHOPPER_KINDS and not (
        kind is ReturnEventKind.TRACKING_ATTACHED and event.method is ReturnMethod.OWN_SHIPMENT
    )
    return Change(
        event.event_id, RETURN, kind.value, event.merchant_id, event.order_number,
        event.return_id, event.occurred_at, _RETURN_STEPS[kind],
        f"{RETURN}.{kind.value}" if told else None,
    )  # fmt: skip


def of_claim(event: ClaimEvent) -> Change:
    kind = event.kind
    trigger: str | None = None
    if kind in CLAIM_SHOPPER_KINDS:
        trigger = f"{CLAIM}.{kind.value}"
        if kind is ClaimEventKind.MERCHANT_MESSAGE:
            trigger += f":{event.messages}"  # each answer once, not only the first
    return Change(
        event.event_id, CLAIM, kind.value, event.merchant_id, event.order_number,
        event.claim_id, event.occurred_at, event.messages * 10 + _CLAIM_STEPS[kind], trigger,
    )  # fmt: skip


def change_of(event: AftersalesEvent) -> Change:
    return of_return(event) if isinstance(event, ReturnEvent) else of_claim(event)


def aftersales_stream(trigger: str) -> str | None:
    """'return.approved' → 'return'; 'claim.merchant_message:3' → 'claim'; else None."""
    stream, dot, _ = trigger.partition(".")
    return stream if dot and stream in STREAMS else None


class AftersalesOutcome(StrEnum):
    NOTIFY = "notify"
    MERCHANT_ONLY = "merchant_only"  # a kind the shopper is not told about
    OLDER = "older"  # a later step of the same return or claim was planned already
    STALE = "stale"  # older than the notification horizon
    NO_ORDER = "no_order"  # the order is unknown within the horizon
    NO_CHANNEL = "no_channel"  # nothing the shopper opted into that we can reach


@dataclass(frozen=True, slots=True)
class AftersalesPlan:
    outcome: AftersalesOutcome
    channels: tuple[Channel, ...] = ()


def plan_change(
    change: Change,
    recipient: Recipient | None,
    *,
    latest: tuple[datetime, int] | None,
    capabilities: Capabilities,
    now: datetime,
    max_age: timedelta,
) -> AftersalesPlan:
    """What one change tells the shopper; `latest` is the furthest step already planned."""
    if change.shopper is None:
        return AftersalesPlan(AftersalesOutcome.MERCHANT_ONLY)
    if latest is not None and change.position < latest:
        return AftersalesPlan(AftersalesOutcome.OLDER)
    if now - change.occurred_at > max_age:
        return AftersalesPlan(AftersalesOutcome.STALE)
    if recipient is None:
        return AftersalesPlan(AftersalesOutcome.NO_ORDER)
    # An order's parcels do not matter here: the return or claim is the subject.
    channels = tuple(c for c in CHANNELS if reachable(c, recipient, capabilities))
    if not channels:
        return AftersalesPlan(AftersalesOutcome.NO_CHANNEL)
    return AftersalesPlan(AftersalesOutcome.NOTIFY, channels)
