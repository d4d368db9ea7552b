"""Stalled / late / recovered alerts (tracking.alerts.v1): what the shopper is told, and the
digest periods of merchants.

Rules:
- a `stalled` or `late` alert tells the shopper once per episode and channel: its ledger trigger
  is '<kind>:<episode id>' (unique per shipment and channel), so a redelivered or re-published
  alert never makes a second message;
- not told: a cancelled order or parcel, a kind the merchant disabled, an alert detected longer
  ago than the notification horizon, a delivered shipment, an episode already over (its
  `recovered` alert is known), or a stall the notifier has since seen a newer carrier event for;
- `recovered` is told only on the channels on which its episode was told (sent), never for a
  delivered shipment (the delivered message says it); an untold message of the episode still
  waiting (retrying, deferred to the morning) becomes moot and is superseded.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum

from suivi_notifier.domain.planning import CHANNELS, Capabilities, Recipient, reachable
from suivi_schemas import AlertKind, Channel, ShipmentAlert, ShipmentStatus

EPISODE_KINDS: tuple[str, ...] = (AlertKind.STALLED.value, AlertKind.LATE.value)
KINDS: frozenset[str] = frozenset(k.value for k in AlertKind)


def alert_trigger(kind: str, episode_id: uuid.UUID) -> str:
    """The ledger trigger of an alert message: one per episode, kind and channel."""
    return f"{kind}:{episode_id}"


def episode_triggers(episode_id: uuid.UUID) -> list[str]:
    """The ledger triggers an episode may have been told under."""
    return [alert_trigger(kind, episode_id) for kind in EPISODE_KINDS]


def alert_kind(trigger: str) -> str | None:
    """'stalled:<episode>' → 'stalled'; a status trigger → None."""
    kind, sep, _ = trigger.partition(":")
    return kind if sep and kind in KINDS else None


class AlertOutcome(StrEnum):
    NOTIFY = "notify"
    STALE = "stale"  # detected longer ago than the notification horizon
    DISABLED = "disabled"  # the merchant does not tell this kind
    CANCELLED = "cancelled"  # the order or this parcel was cancelled
    NO_CHANNEL = "no_channel"  # no channel the shopper opted into (or was told on) and we reach
    MOVED = "moved"  # stalled, but a newer carrier event is known: no longer true
    DELIVERED = "delivered"  # the delivered message covers it
    OVER = "over"  # the episode's recovered alert is already known
    NOT_TOLD = "not_told"  # recovered from an episode the shopper was not told about
    NO_ORDER = "no_order"  # no order holds the shipment within the horizon


@dataclass(frozen=True, slots=True)
class ShipmentNow:
    """The notifier's own view of the shipment (tracking.status.v1) when the alert is planned."""

    latest_status: str
    latest_occurred_at: datetime


@dataclass(frozen=True, slots=True)
class AlertPlan:
    outcome: AlertOutcome
    channels: tuple[Channel, ...] = ()


def _delivered(alert: ShipmentAlert, shipment: ShipmentNow | None) -> bool:
    return alert.status is ShipmentStatus.DELIVERED or (
        shipment is not None and shipment.latest_status == ShipmentStatus.DELIVERED.value
    )


def plan_alert(
    alert: ShipmentAlert,
    recipient: Recipient,
    shipment: ShipmentNow | None,
    *,
    enabled: frozenset[str],
    capabilities: Capabilities,
    now: datetime,
    max_age: timedelta,
    episode_over: bool = False,
    told: Iterable[Channel] = (),
) -> AlertPlan:
    """`episode_over`: the episode's recovered alert is known (stalled / late only); `told`:
    the channels the episode's message was sent on (recovered only)."""
    if recipient.cancelled or not recipient.shipment_active:
        return AlertPlan(AlertOutcome.CANCELLED)
    if alert.kind is AlertKind.RECOVERED:
        told_on = frozenset(told)
        if not told_on:
            return AlertPlan(AlertOutcome.NOT_TOLD)
        candidates = tuple(c for c in CHANNELS if c in told_on)
    else:
        if alert.kind.value not in enabled:
            return AlertPlan(AlertOutcome.DISABLED)
        if episode_over:
            return AlertPlan(AlertOutcome.OVER)
        candidates = CHANNELS
    if _delivered(alert, shipment):
        return AlertPlan(AlertOutcome.DELIVERED)
    if now - alert.detected_at > max_age:
        return AlertPlan(AlertOutcome.STALE)
    if (
        alert.kind is AlertKind.STALLED
        and shipment is not None
        and shipment.latest_occurred_at > alert.last_event_at
    ):
        return AlertPlan(AlertOutcome.MOVED)
    channels = tuple(c for c in candidates if reachable(c, recipient, capabilities))
    if not channels:
        return AlertPlan(AlertOutcome.NO_CHANNEL)
    return AlertPlan(AlertOutcome.NOTIFY, channels)


# Windows are counted from a Monday midnight UTC (the Unix epoch was a Thursday): hourly digests
# go out on the hour, daily ones at midnight, weekly ones at the start of the ISO week.
_EPOCH = datetime(1970, 1, 5, tzinfo=UTC)


def digest_period_start(now: datetime, minutes: int) -> datetime:
    """The start of the `minutes`-long window `now` is in. A digest made at `now` lists what
    was added before."""
    span = timedelta(minutes=minutes)
    return _EPOCH + ((now - _EPOCH) // span) * span


def mask_tracking(number: str) -> str:
    """Enough to recognise a parcel in a list, not to look it up: its last four characters."""
    return "•" * 4 + (number[-4:] if len(number) > 6 else "")
