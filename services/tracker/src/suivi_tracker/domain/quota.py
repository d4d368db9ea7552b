"""Quota allocation: when a source's quota is short, the parcels a shopper is waiting on go
first (out for delivery, in transit), and early ones (pending, info received) keep a reserve
out of reach so they never starve the others."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TypeVar

from suivi_tracker.domain.model import Tracking
from suivi_tracker.domain.schedule import EARLY, URGENT
from suivi_tracker.domain.states import State


def priority(t: Tracking) -> int:
    """Lower goes first."""
    if t.last_status in URGENT:
        return 0
    if t.state is State.CONFIRMING:
        return 2
    if t.last_status is None or t.last_status in EARLY:
        return 3
    return 1


LOW_PRIORITY = 3
T = TypeVar("T")


def allocate(
    items: Sequence[T], left: int | None, reserve: int, rank: Callable[[T], int]
) -> tuple[list[T], list[T]]:
    """(served now, deferred): at most `left` served, best rank first; low-priority items only
    while more than `reserve` calls would remain. `left` None: unmetered, all served."""
    if left is None:
        return list(items), []
    served: list[T] = []
    deferred: list[T] = []
    for item in sorted(items, key=rank):  # stable: due order kept within a rank
        budget = left - len(served)
        if budget <= 0 or (rank(item) >= LOW_PRIORITY and budget <= reserve):
            deferred.append(item)
        else:
            served.append(item)
    return served, deferred
