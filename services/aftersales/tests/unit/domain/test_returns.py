"""The return's state machine: forward only, one event per transition, carrier facts in any
order end in the same state with the same events, refusals for what the state does not allow."""

from __future__ import annotations

import dataclasses
import itertools
from datetime import timedelta

import pytest

from suivi_aftersales.domain import returns as m
from suivi_aftersales.domain.events import return_event
from suivi_aftersales.domain.parcels import ParcelFacts, learn
from suivi_aftersales.domain.returns import Item, Return, TransitionRefusedError
from suivi_aftersales.testing.builders import T0, policy, status_event
from suivi_schemas.returns import ReturnEventKind as K
from suivi_schemas.returns import ReturnMethod, ReturnState
from suivi_schemas.status import ShipmentStatus

S = ReturnState
N = "6A33333333333"
SCANS = [
    status_event(N, ShipmentStatus.IN_TRANSIT, T0 + timedelta(hours=2)),
    status_event(N, ShipmentStatus.IN_TRANSIT, T0 + timedelta(hours=9), city="Paris"),
    status_event(N, ShipmentStatus.DELIVERED, T0 + timedelta(days=2), city="Roubaix"),
]


def requested() -> Return:
    items = (Item("l1", "SHIRT-M", "Chemise lin", 1, "too_small"),)
    return Return("atelier", "R-TEST0001", "A-1", S.REQUESTED, ReturnMethod.OWN_SHIPMENT, "fr",
                  items, T0)  # fmt: skip


def approved() -> Return:
    return m.approve(requested(), None, T0).ret


def kinds(change: m.Change) -> list[K]:
    return [e.kind for e in change.emitted]


def test_approve_once() -> None:
    first = m.approve(requested(), None, T0)
    assert kinds(first) == [K.APPROVED] and first.ret.state is S.APPROVED
    assert kinds(m.approve(first.ret, None, T0 + timedelta(hours=1))) == []


def test_carrier_facts_in_any_order_give_the_same_state_and_events() -> None:
    outcomes = set()
    for order in itertools.permutations(SCANS):
        ret, emitted = approved(), list[K]()
        facts = ParcelFacts()
        for event in order:
            facts = learn(facts, event)
            change = m.carrier_progress(ret, facts, T0 + timedelta(days=3))
            ret, emitted = change.ret, emitted + kinds(change)
        outcomes.add((ret.state, tuple(emitted)))
    assert outcomes == {(S.RECEIVED, (K.DROPPED_OFF, K.IN_TRANSIT, K.RECEIVED))}


def test_a_repeated_or_late_scan_changes_nothing() -> None:
    facts = learn(learn(ParcelFacts(), SCANS[0]), SCANS[2])
    ret = m.carrier_progress(approved(), facts, T0).ret
    assert ret.state is S.RECEIVED
    assert ret.deposit_at == SCANS[0].occurred_at  # the proof of deposit: the first scan
    again = m.carrier_progress(ret, learn(facts, SCANS[1]), T0)
    assert again.emitted == () and again.ret == ret


def test_a_requested_return_waits_for_approval_then_catches_up() -> None:
    facts = learn(ParcelFacts(), SCANS[0])
    assert m.carrier_progress(requested(), facts, T0).emitted == ()
    change = m.approve(requested(), facts, T0)
    assert kinds(change) == [K.APPROVED, K.DROPPED_OFF]


def test_attach_then_resolve() -> None:
    attached = m.attach_parcel(approved(), "laposte", N, None, T0)
    assert kinds(attached) == [K.TRACKING_ATTACHED]
    assert m.attach_parcel(attached.ret, "laposte", N, None, T0).emitted == ()
    facts = learn(ParcelFacts(), SCANS[2])
    received = m.carrier_progress(attached.ret, facts, T0).ret
    inspected = m.inspect(received, T0)
    refunded = m.resolve(inspected.ret, S.REFUNDED, "39.90", "EUR", T0)
    assert kinds(refunded) == [K.REFUNDED]
    event = return_event(refunded.ret, refunded.emitted[0], T0)
    assert event.resolution is not None and str(event.resolution.amount) == "39.90"
    assert event.key == "atelier:R-TEST0001"
    assert m.resolve(refunded.ret, S.REFUNDED, "39.90", "EUR", T0).emitted == ()


@pytest.mark.parametrize(
    ("action", "state"),
    [
        (lambda r: m.inspect(r, T0), S.APPROVED),
        (lambda r: m.resolve(r, S.REFUNDED, "1.00", "EUR", T0), S.APPROVED),
        (lambda r: m.approve(r, None, T0), S.REJECTED),
        (lambda r: m.reject(r, "no", T0), S.REFUNDED),
    ],
)
def test_what_the_state_does_not_allow_is_refused(action: object, state: ReturnState) -> None:
    ret = dataclasses.replace(requested(), state=state)
    with pytest.raises(TransitionRefusedError):
        action(ret)  # type: ignore[operator]


def test_reminder_then_expiry_with_an_injected_clock() -> None:
    rules = policy()
    ret = approved()
    assert m.next_due(ret, rules) == T0 + timedelta(days=7)
    assert m.on_due(ret, rules, T0 + timedelta(days=6)).emitted == ()
    reminded = m.on_due(ret, rules, T0 + timedelta(days=7))
    assert kinds(reminded) == [K.REMINDER]
    assert m.next_due(reminded.ret, rules) == T0 + timedelta(days=14)
    expired = m.on_due(reminded.ret, rules, T0 + timedelta(days=14))
    assert kinds(expired) == [K.EXPIRED] and expired.ret.state is S.EXPIRED
    assert m.next_due(expired.ret, rules) is None
    # Until it is dropped off, an approved return's events say by when (the notifier tells it).
    assert m.drop_off_by(reminded.ret, rules) == T0 + timedelta(days=14)
    assert m.drop_off_by(expired.ret, rules) is None and m.drop_off_by(requested(), rules) is None
    event = return_event(reminded.ret, reminded.emitted[0], T0, m.drop_off_by(ret, rules))
    assert event.drop_off_by == T0 + timedelta(days=14)


def test_event_ids_are_the_transitions() -> None:
    change = m.approve(requested(), None, T0)
    first = return_event(change.ret, change.emitted[0], T0)
    again = return_event(change.ret, change.emitted[0], T0 + timedelta(hours=1))
    assert first.event_id == again.event_id


def test_an_earlier_first_scan_learnt_late_corrects_the_proof_of_deposit() -> None:
    delivered_first = learn(ParcelFacts(), SCANS[2])
    ret = m.carrier_progress(approved(), delivered_first, T0).ret
    assert ret.deposit_location is not None and ret.deposit_location.city == "Roubaix"
    corrected = m.carrier_progress(ret, learn(delivered_first, SCANS[0]), T0)
    assert corrected.emitted == ()
    assert corrected.ret.deposit_at == SCANS[0].occurred_at
    assert corrected.ret.deposit_location is not None
    assert corrected.ret.deposit_location.city == "Lyon"
