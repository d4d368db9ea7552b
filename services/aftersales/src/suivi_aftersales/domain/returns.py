"""The return's state machine: every change is a function (return, input, now) → (return, what
to publish), forward only, so a repeated or late input changes nothing and publishes nothing.

requested → approved → dropped off → in transit → received → (inspected) → refunded | exchanged,
or rejected (before the parcel travels, or after inspection), or expired (approved, never
dropped off). Carrier facts move an approved return; entering a later carrier stage enters
every stage before it, so the same facts give the same events whatever order they came in.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import datetime, timedelta

from suivi_aftersales.domain.parcels import ParcelFacts
from suivi_aftersales.domain.policy import Policy
from suivi_schemas.common import Location
from suivi_schemas.returns import ReturnEventKind, ReturnMethod, ReturnState

S = ReturnState
CARRIER_STAGES = (S.DROPPED_OFF, S.IN_TRANSIT, S.RECEIVED)
_MOVABLE_BY_CARRIER = frozenset({S.APPROVED, S.DROPPED_OFF, S.IN_TRANSIT})
_REJECTABLE = frozenset({S.REQUESTED, S.APPROVED, S.RECEIVED, S.INSPECTED})
_RESOLVABLE = frozenset({S.RECEIVED, S.INSPECTED})
FINAL = frozenset({S.REJECTED, S.REFUNDED, S.EXCHANGED, S.EXPIRED})
# States whose items no longer count as being returned (they may be asked for again).
RELEASED = frozenset({S.REJECTED, S.EXPIRED})


@dataclass(frozen=True, slots=True)
class Item:
    line_item_id: str
    sku: str | None
    title: str
    quantity: int
    reason: str


@dataclass(frozen=True, slots=True)
class Return:
    merchant_id: str
    return_id: str
    order_number: str
    state: ReturnState
    method: ReturnMethod
    locale: str
    items: tuple[Item, ...]
    requested_at: datetime
    approved_at: datetime | None = None
    dropped_off_at: datetime | None = None
    received_at: datetime | None = None
    resolved_at: datetime | None = None
    parcel_carrier: str | None = None
    parcel_number: str | None = None
    deposit_at: datetime | None = None
    deposit_location: Location | None = None
    rejection_reason: str | None = None
    amount: str | None = None  # a decimal, as text: never a float
    currency: str | None = None
    reminded_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class Emitted:
    kind: ReturnEventKind
    detail: str = ""  # what makes a repeatable kind's id unique (the tracking number)


@dataclass(frozen=True, slots=True)
class Change:
    ret: Return
    emitted: tuple[Emitted, ...]


class TransitionRefusedError(Exception):
    """The return is not in a state that allows this (HTTP 409)."""

    def __init__(self, code: str, detail: str) -> None:
        super().__init__(detail)
        self.code = code
        self.detail = detail


def _refuse(ret: Return, action: str) -> TransitionRefusedError:
    detail = f"cannot {action} a return that is {ret.state.value}"
    return TransitionRefusedError("invalid_transition", detail)


def _unchanged(ret: Return) -> Change:
    return Change(ret, ())


def approve(ret: Return, facts: ParcelFacts | None, now: datetime) -> Change:
    if ret.state is not S.REQUESTED:
        if ret.approved_at is not None and ret.state not in RELEASED:
            return _unchanged(ret)  # approving twice is a no-op
        raise _refuse(ret, "approve")
    approved = dataclasses.replace(ret, state=S.APPROVED, approved_at=now)
    moved = carrier_progress(approved, facts, now) if facts else _unchanged(approved)
    return Change(moved.ret, (Emitted(ReturnEventKind.APPROVED), *moved.emitted))


def reject(ret: Return, reason: str, now: datetime) -> Change:
    if ret.state is S.REJECTED:
        return _unchanged(ret)
    if ret.state not in _REJECTABLE:
        raise _refuse(ret, "reject")
    rejected = dataclasses.replace(ret, state=S.REJECTED, rejection_reason=reason, resolved_at=now)
    return Change(rejected, (Emitted(ReturnEventKind.REJECTED),))


def attach_parcel(
    ret: Return, carrier: str, number: str, facts: ParcelFacts | None, now: datetime
) -> Change:
    """The return parcel's number (the merchant's label, or the shopper's deposit receipt)."""
    if (ret.parcel_carrier, ret.parcel_number) == (carrier, number):
        return _unchanged(ret)
    if ret.state in FINAL or ret.dropped_off_at is not None:
        raise _refuse(ret, "change the parcel of")
    attached = dataclasses.replace(ret, parcel_carrier=carrier, parcel_number=number)
    emitted = (Emitted(ReturnEventKind.TRACKING_ATTACHED, f"{carrier}:{number}"),)
    moved = carrier_progress(attached, facts, now) if facts else _unchanged(attached)
    return Change(moved.ret, emitted + moved.emitted)


def carrier_progress(ret: Return, facts: ParcelFacts, now: datetime) -> Change:
    """The return moved as far as its parcel's facts say, entering each stage on the way; the
    changed return may carry no event (a corrected proof of deposit): callers save it when it
    differs."""
    ret = _earliest_deposit(ret, facts)
    stage = facts.stage()
    if stage is None or ret.state not in _MOVABLE_BY_CARRIER:
        return _unchanged(ret)
    current = CARRIER_STAGES.index(ret.state) if ret.state in CARRIER_STAGES else -1
    target = CARRIER_STAGES.index(stage)
    if target <= current:
        return _unchanged(ret)
    entered = CARRIER_STAGES[current + 1 : target + 1]
    updated = dataclasses.replace(ret, state=stage)
    if S.DROPPED_OFF in entered:
        updated = dataclasses.replace(
            updated, dropped_off_at=now, deposit_at=facts.first_scan_at,
            deposit_location=facts.first_scan_location,
        )  # fmt: skip
    if S.RECEIVED in entered:
        updated = dataclasses.replace(updated, received_at=facts.delivered_at or now)
    return Change(updated, tuple(Emitted(ReturnEventKind(s.value)) for s in entered))


def _earliest_deposit(ret: Return, facts: ParcelFacts) -> Return:
    """An earlier first scan learnt late (events out of order) corrects the proof of deposit:
    a fact refined, not a transition (no event)."""
    first = facts.first_scan_at
    if ret.deposit_at is None or first is None or first >= ret.deposit_at:
        return ret
    return dataclasses.replace(ret, deposit_at=first, deposit_location=facts.first_scan_location)


def inspect(ret: Return, now: datetime) -> Change:
    if ret.state is S.INSPECTED:
        return _unchanged(ret)
    if ret.state is not S.RECEIVED:
        raise _refuse(ret, "inspect")
    inspected = dataclasses.replace(ret, state=S.INSPECTED)
    return Change(inspected, (Emitted(ReturnEventKind.INSPECTED),))


def resolve(ret: Return, outcome: ReturnState, amount: str, currency: str, now: datetime) -> Change:
    """Refunded or exchanged, with the amount and currency."""
    if outcome not in (S.REFUNDED, S.EXCHANGED):
        raise ValueError("a return resolves as refunded or exchanged")
    if ret.state is outcome and (ret.amount, ret.currency) == (amount, currency):
        return _unchanged(ret)
    if ret.state not in _RESOLVABLE:
        raise _refuse(ret, f"mark {outcome.value}")
    resolved = dataclasses.replace(
        ret, state=outcome, amount=amount, currency=currency, resolved_at=now
    )
    return Change(resolved, (Emitted(ReturnEventKind(outcome.value)),))


def next_due(ret: Return, policy: Policy) -> datetime | None:
    """When the scheduler looks at the return again: an approved return not yet dropped off is
    reminded after `reminder_days`, expired after `expire_days`; other returns are not due."""
    if ret.state is not S.APPROVED or ret.approved_at is None:
        return None
    if ret.reminded_at is None:
        return ret.approved_at + timedelta(days=policy.reminder_days)
    return ret.approved_at + timedelta(days=policy.expire_days)


def drop_off_by(ret: Return, policy: Policy) -> datetime | None:
    """When an approved return not dropped off yet expires (what the shopper is told)."""
    if ret.state is not S.APPROVED or ret.approved_at is None:
        return None
    return ret.approved_at + timedelta(days=policy.expire_days)


def on_due(ret: Return, policy: Policy, now: datetime) -> Change:
    """The scheduler's step for a due return: a reminder first, then expiry."""
    due = next_due(ret, policy)
    if due is None or now < due:
        return _unchanged(ret)
    if ret.reminded_at is None:
        reminded = dataclasses.replace(ret, reminded_at=now)
        return Change(reminded, (Emitted(ReturnEventKind.REMINDER),))
    expired = dataclasses.replace(ret, state=S.EXPIRED, resolved_at=now)
    return Change(expired, (Emitted(ReturnEventKind.EXPIRED),))
