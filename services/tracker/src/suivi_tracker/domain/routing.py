"""Which configured source feeds a carrier's parcels: an override from settings, else the
carrier's own API when configured (push before poll), else a configured aggregator in the
preferred order, else none (the tracking is `unsupported`, and says so)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Protocol, TypeVar

from suivi_tracker.domain.sources import Mode

# Aggregators in the order tried when the carrier's own API is not configured; settings may
# reorder them (SUIVI_TRACKER_ROUTE_PREFERENCE).
DEFAULT_PREFERENCE: tuple[str, ...] = ("easypost", "aftership", "17track", "shippo")


class Routable(Protocol):
    @property
    def name(self) -> str: ...
    @property
    def mode(self) -> Mode: ...
    def serves(self, carrier: str) -> bool: ...


S = TypeVar("S", bound=Routable)


def is_own(source_name: str, carrier: str) -> bool:
    """The carrier's own API: named after it ('ups', 'ups-alert', 'dhl-push' for 'ups'/'dhl')."""
    return source_name == carrier or source_name.startswith((f"{carrier}-", f"{carrier}_"))


def route(
    carrier: str,
    sources: Sequence[S],
    preference: Sequence[str] = DEFAULT_PREFERENCE,
    overrides: Mapping[str, str] | None = None,
) -> S | None:
    forced = (overrides or {}).get(carrier)
    if forced is not None:
        return next((s for s in sources if s.name == forced and s.serves(carrier)), None)
    serving = [s for s in sources if s.serves(carrier)]
    own = [s for s in serving if is_own(s.name, carrier)]
    if own:
        # Push costs no poll and is fresher: the carrier's push API first.
        return min(own, key=lambda s: (s.mode is not Mode.PUSH, s.name))
    rank = {name: i for i, name in enumerate(preference)}
    others = sorted(serving, key=lambda s: (rank.get(s.name, len(rank)), s.name))
    return others[0] if others else None
