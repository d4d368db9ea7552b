"""Claims, pure: the reasons a parcel's timeline offers (injected clock), the conversation's
states, one change per message, resolution rules and the first-response target."""

from __future__ import annotations

from datetime import timedelta

import pytest

from suivi_aftersales.domain import claims as c
from suivi_aftersales.domain.claims import Checkpoint, Claim, ClaimRefusedError, ClaimRules
from suivi_aftersales.testing.builders import T0
from suivi_schemas.claims import ClaimEventKind as K
from suivi_schemas.claims import ClaimOutcome, ClaimReason, ClaimState
from suivi_schemas.status import ShipmentStatus

R = ClaimReason
RULES = ClaimRules()


def at(hours: float, status: ShipmentStatus) -> Checkpoint:
    return Checkpoint(f"e{hours}", T0 + timedelta(hours=hours), status, None, None)


def test_reasons_follow_the_parcel_state() -> None:
    delivered = [at(0, ShipmentStatus.IN_TRANSIT), at(30, ShipmentStatus.DELIVERED)]
    soon = T0 + timedelta(hours=31)
    assert c.offered_reasons(delivered, RULES, soon) == (R.DAMAGED, R.ITEM_MISSING, R.WRONG_ITEM)
    later = T0 + timedelta(hours=54)  # 24 hours after the "delivered" scan
    assert c.offered_reasons(delivered, RULES, later)[0] is R.NOT_RECEIVED
    moving = [at(0, ShipmentStatus.IN_TRANSIT)]
    assert c.offered_reasons(moving, RULES, T0 + timedelta(days=9)) == ()  # silence alone: no
    assert c.offered_reasons(moving, RULES, T0, alerted=True) == (R.LATE,)  # the monitor says so
    lost = [*moving, at(50, ShipmentStatus.LOST)]
    assert c.offered_reasons(lost, RULES, T0 + timedelta(days=3)) == (R.LOST,)
    assert c.offered_reasons([], RULES, T0) == ()


def opened() -> Claim:
    return Claim("atelier", "C-1", "A-1", "laposte", "6A1", R.DAMAGED,
                 ClaimState.WAITING_MERCHANT, "fr", T0, messages=1)  # fmt: skip


def test_a_conversation_then_a_resolution() -> None:
    answer = c.message(opened(), "merchant", T0 + timedelta(hours=3))
    assert (answer.kind, answer.sequence) == (K.MERCHANT_MESSAGE, 2)
    assert answer.claim.state is ClaimState.WAITING_SHOPPER
    assert answer.claim.first_response_at == T0 + timedelta(hours=3)
    reply = c.message(answer.claim, "shopper", T0 + timedelta(hours=4))
    assert reply.claim.state is ClaimState.WAITING_MERCHANT and reply.sequence == 3
    again = c.message(reply.claim, "merchant", T0 + timedelta(hours=9))
    assert again.claim.first_response_at == T0 + timedelta(hours=3)  # the first one counts
    resolved = c.resolve(again.claim, ClaimOutcome.RESHIP, None, T0 + timedelta(hours=10))
    assert resolved.kind is K.RESOLVED and resolved.claim.state is ClaimState.RESOLVED
    assert c.resolve(resolved.claim, ClaimOutcome.RESHIP, None, T0).kind is None
    closed = c.close(resolved.claim, T0 + timedelta(days=1))
    assert closed.kind is K.CLOSED
    with pytest.raises(ClaimRefusedError):
        c.message(closed.claim, "shopper", T0)


def test_a_rejection_says_why_and_an_open_claim_cannot_close() -> None:
    with pytest.raises(ClaimRefusedError):
        c.resolve(opened(), ClaimOutcome.REJECTED, None, T0)
    with pytest.raises(ClaimRefusedError):
        c.close(opened(), T0)


def test_first_response_target() -> None:
    assert not c.response_breached(opened(), RULES, T0 + timedelta(hours=23))
    assert c.response_breached(opened(), RULES, T0 + timedelta(hours=25))
    answered = c.message(opened(), "merchant", T0 + timedelta(hours=2)).claim
    assert not c.response_breached(answered, RULES, T0 + timedelta(days=9))
