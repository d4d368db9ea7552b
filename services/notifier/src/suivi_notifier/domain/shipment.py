"""A shipment's notification state, and how one status event changes it.

Rules (docs/notifications.md):
- an event older than the newest one seen (by `occurred_at`) changes nothing: a late event never
  notifies, and never rolls the shipment back; the same event again is a no-op;
- a trigger fires only the first time the shipment reaches that status (`reached`);
- a fired trigger is not sent at once: it becomes the shipment's `pending` trigger, due at the
  end of a short debounce window opened by the first trigger of a burst. A newer trigger within
  the window replaces it, so a burst yields one message per channel, for the latest status.
  Once its window has ended the trigger is owed: for a shipment whose order is known, the
  intake moves it to the ledger before applying newer events (suivi_notifier.materialize);
  without an order it still waits for one, and the latest trigger replaces it.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum

from suivi_notifier.domain.triggers import TRIGGER_NAMES


class Verdict(StrEnum):
    LATE = "late"  # older than the newest event seen: ignored
    DUPLICATE = "duplicate"  # the newest event, again
    APPLIED = "applied"  # newer, but no new trigger (not a trigger, or already reached)
    TRIGGERED = "triggered"  # newer, and a trigger reached for the first time


@dataclass(frozen=True, slots=True)
class StatusFact:
    """The part of a ShipmentStatusEvent the notifier decides on."""

    event_id: uuid.UUID
    status: str
    occurred_at: datetime


@dataclass(frozen=True, slots=True)
class Pending:
    trigger: str
    event_id: uuid.UUID
    occurred_at: datetime
    due_at: datetime


@dataclass(frozen=True, slots=True)
class ShipmentState:
    latest_status: str
    latest_occurred_at: datetime
    latest_event_id: uuid.UUID
    reached: frozenset[str] = frozenset()
    pending: Pending | None = None


def apply_event(
    state: ShipmentState | None,
    fact: StatusFact,
    *,
    now: datetime,
    debounce: timedelta,
    enabled: frozenset[str] = TRIGGER_NAMES,
) -> tuple[ShipmentState, Verdict]:
    """The new state and what the event was. `enabled`: the triggers of the shipment's
    merchant when known (a disabled trigger is marked reached but never becomes pending)."""
    if state is not None:
        if fact.occurred_at < state.latest_occurred_at:
            return state, Verdict.LATE
        if fact.event_id == state.latest_event_id:
            return state, Verdict.DUPLICATE
    reached = state.reached if state is not None else frozenset()
    pending = state.pending if state is not None else None
    moved = ShipmentState(
        latest_status=fact.status,
        latest_occurred_at=fact.occurred_at,
        latest_event_id=fact.event_id,
        reached=reached,
        pending=pending,
    )
    if fact.status not in TRIGGER_NAMES or fact.status in reached:
        return moved, Verdict.APPLIED
    moved = replace(moved, reached=reached | {fact.status})
    if fact.status not in enabled:
        return moved, Verdict.APPLIED
    # The window opens with the first trigger of a burst and is not extended by later ones:
    # a steady stream of triggers still yields a message every `debounce`.
    due_at = pending.due_at if pending is not None else now + debounce
    return replace(
        moved, pending=Pending(fact.status, fact.event_id, fact.occurred_at, due_at)
    ), Verdict.TRIGGERED
