"""What a tracking is doing (its state), and which states the scheduler still has work for."""

from __future__ import annotations

import enum


class State(enum.StrEnum):
    PENDING = "pending"  # created: registration or first poll not done yet
    ACTIVE = "active"  # registered (push) or answered at least once (poll)
    CARRIER_UNCERTAIN = "carrier_uncertain"  # tracked at the best guess; no candidate >= 0.8
    NEEDS_INFO = "needs_info"  # the source needs more (postal code, ship date): PATCH it
    UNSUPPORTED = "unsupported"  # no configured source serves the carrier
    CONFIRMING = "confirming"  # a terminal status was seen: one confirming look, then stop
    STOPPED = "stopped"  # done (confirmed terminal, or stopped by the merchant); unregistered
    EXPIRED = "expired"  # no event for `expire_after` (30 days by default); unregistered
    FAILED = "failed"  # the source refused the tracking for good (invalid number, …)


# The scheduler has work for these (a due time); the others wait for a merchant or are done.
SCHEDULED: frozenset[State] = frozenset(
    {State.PENDING, State.ACTIVE, State.CARRIER_UNCERTAIN, State.CONFIRMING}
)
# Followed for the shopper: what freshness and quota priority are about.
LIVE: frozenset[State] = frozenset({State.PENDING, State.ACTIVE, State.CARRIER_UNCERTAIN})
# Over: nothing is polled or pushed any more.
FINAL: frozenset[State] = frozenset({State.STOPPED, State.EXPIRED, State.FAILED})
