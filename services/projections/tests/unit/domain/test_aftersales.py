"""An order's returns and claims (domain/aftersales.py): each case keeps its latest version,
whatever order its events come in, and a duplicate changes nothing."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable
from datetime import timedelta

import pytest

from suivi_projections.domain.aftersales import Case, CaseKind, case_of, latest, merge
from suivi_projections.testing.aftersales import claim_event, return_event
from suivi_projections.testing.samples import T0
from suivi_schemas.claims import ClaimEventKind, ClaimState
from suivi_schemas.returns import ReturnEventKind, ReturnState

RK, RS, CK, CS = ReturnEventKind, ReturnState, ClaimEventKind, ClaimState

H = timedelta(hours=1)


def fold(cases: Iterable[Case]) -> Case | None:
    current: Case | None = None
    for case in cases:
        current = merge(current, case) or current
    return current


def returns() -> list[Case]:
    """A return's life: requested, approved, its label's number attached (same state, later),
    the carrier's first scan (earlier than the number was typed in: a receipt entered late),
    then on its way."""
    events = [
        return_event("shop-a", "R-1", "A-101", RK.REQUESTED, RS.REQUESTED, T0),
        return_event("shop-a", "R-1", "A-101", RK.APPROVED, RS.APPROVED, T0 + H),
        return_event(
            "shop-a", "R-1", "A-101", RK.TRACKING_ATTACHED, RS.APPROVED, T0 + 30 * H, detail="6A123"
        ),
        return_event("shop-a", "R-1", "A-101", RK.DROPPED_OFF, RS.DROPPED_OFF, T0 + 20 * H),
        return_event("shop-a", "R-1", "A-101", RK.IN_TRANSIT, RS.IN_TRANSIT, T0 + 40 * H),
    ]
    return [case_of(e) for e in events]


def claims() -> list[Case]:
    """A claim's thread: opened (1 message), answered, answered back, resolved, closed."""
    events = [
        claim_event("shop-a", "C-1", "A-101", CK.OPENED, CS.WAITING_MERCHANT, T0, 1),
        claim_event("shop-a", "C-1", "A-101", CK.MERCHANT_MESSAGE, CS.WAITING_SHOPPER, T0 + H, 2),
        claim_event(
            "shop-a", "C-1", "A-101", CK.SHOPPER_MESSAGE, CS.WAITING_MERCHANT, T0 + 2 * H, 3
        ),
        claim_event("shop-a", "C-1", "A-101", CK.RESOLVED, CS.RESOLVED, T0 + 3 * H, 3),
        claim_event("shop-a", "C-1", "A-101", CK.CLOSED, CS.CLOSED, T0 + 4 * H, 3),
    ]
    return [case_of(e) for e in events]


@pytest.mark.parametrize("history", [returns, claims], ids=["return", "claim"])
def test_any_order_ends_in_the_last_change(history: Callable[[], list[Case]]) -> None:
    cases = history()
    last = cases[-1]
    for ordering in itertools.permutations(cases):
        assert fold(ordering) == last
        assert latest(ordering) == {last.key: last}


@pytest.mark.parametrize("history", [returns, claims], ids=["return", "claim"])
def test_a_duplicate_or_an_older_version_changes_nothing(history: Callable[[], list[Case]]) -> None:
    cases = history()
    for i, case in enumerate(cases):
        assert merge(case, case) is None  # the same event again
        for older in cases[:i]:
            assert merge(case, older) is None
        assert merge(None, case) == case
    doubled = [c for case in cases for c in (case, case)]
    assert fold(reversed(doubled)) == cases[-1]


def test_the_stage_outranks_the_time() -> None:
    """The carrier's first scan came before the shopper typed the receipt's number in: the
    return is dropped off all the same."""
    _, approved, attached, dropped, _ = returns()
    assert attached.occurred_at > dropped.occurred_at
    assert fold([dropped, attached]) == dropped
    assert fold([approved, attached]) == attached  # a fact without a state change, later


def test_a_longer_thread_is_newer_and_resolving_ends_it() -> None:
    opened, answered, back, resolved, closed = claims()
    assert fold([back, answered, opened]) == back
    assert back.state == "waiting_merchant" and back.is_open
    assert fold([resolved, back]) == resolved and not resolved.is_open
    assert not closed.is_open


def test_open_and_closed_cases() -> None:
    assert [c.is_open for c in returns()] == [True] * 5
    done = case_of(return_event("shop-a", "R-1", "A-101", RK.REFUNDED, RS.REFUNDED, T0 + 90 * H))
    rejected = case_of(return_event("shop-a", "R-2", "A-101", RK.REJECTED, RS.REJECTED, T0 + H))
    assert not done.is_open and not rejected.is_open
    assert fold([done, *returns()]) == done
    assert (done.kind, rejected.kind) == (CaseKind.RETURN, CaseKind.RETURN)


def test_a_batch_keeps_each_case_apart() -> None:
    """Same id, other shop or other kind: other cases."""
    other_shop = case_of(return_event("shop-b", "R-1", "B-7", RK.REQUESTED, RS.REQUESTED, T0))
    claim = case_of(claim_event("shop-a", "R-1", "A-101", CK.OPENED, CS.WAITING_MERCHANT, T0, 1))
    found = latest([*returns(), other_shop, claim])
    assert sorted(found) == [
        ("shop-a", "claim", "R-1"), ("shop-a", "return", "R-1"), ("shop-b", "return", "R-1"),
    ]  # fmt: skip
    assert found[("shop-a", "return", "R-1")].state == "in_transit"
