"""Quota allocation: when short, parcels in motion first; early ones keep off a reserve."""

from __future__ import annotations

from suivi_tracker.domain.quota import allocate


def rank(item: tuple[str, int]) -> int:
    return item[1]


ITEMS = [("early1", 3), ("transit1", 1), ("ofd", 0), ("early2", 3), ("transit2", 1)]


def test_unmetered_serves_everything() -> None:
    assert allocate(ITEMS, None, 10, rank) == (ITEMS, [])


def test_short_quota_serves_the_best_ranked_first() -> None:
    served, deferred = allocate(ITEMS, 3, 0, rank)
    assert [s for s, _ in served] == ["ofd", "transit1", "transit2"]
    assert [s for s, _ in deferred] == ["early1", "early2"]


def test_reserve_keeps_early_parcels_from_the_last_calls() -> None:
    served, deferred = allocate(ITEMS, 5, 3, rank)
    assert [s for s, _ in served] == ["ofd", "transit1", "transit2"]
    assert len(deferred) == 2
    served, _ = allocate(ITEMS, 10, 3, rank)
    assert len(served) == 5
