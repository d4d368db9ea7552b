"""The notification triggers: what may make the notifier tell a shopper about a parcel. One
vocabulary for the console's settings form, `NotificationSettings.triggers` on merchants.v1 and
the notifier's `SUIVI_NOTIFIER_TRIGGERS`: shipment statuses (`ShipmentStatus` values, told the
first time a parcel reaches each) and alert kinds (`AlertKind` values from tracking.alerts.v1).

After-sales messages (return.* / claim.*) are not triggers: the shopper asked for them.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Literal, get_args

TriggerName = Literal[
    "in_transit",
    "out_for_delivery",
    "available_for_pickup",
    "delivery_attempt_failed",
    "delivered",
    "exception",
    "returning_to_sender",
    "returned_to_sender",
    "stalled",
    "late",
    "revised",
]
NOTIFICATION_TRIGGERS: tuple[TriggerName, ...] = get_args(TriggerName)

# What each trigger tells the shopper (documentation and the contract's description).
TRIGGER_MEANINGS: dict[TriggerName, str] = {
    "in_transit": "The carrier has the parcel and it is on its way (first scan after pickup).",
    "out_for_delivery": "The parcel is out for delivery today.",
    "available_for_pickup": "The parcel waits at a pickup point or locker.",
    "delivery_attempt_failed": "The carrier tried to deliver and could not.",
    "delivered": "The parcel was delivered.",
    "exception": "The carrier reports a problem (damage, address, customs...).",
    "returning_to_sender": "The parcel is on its way back to the shop.",
    "returned_to_sender": "The parcel is back at the shop.",
    "stalled": "No carrier scan for longer than usual (alert).",
    "late": "The parcel missed its expected delivery date (alert).",
    "revised": "The carrier moved its delivery date later (alert; opt-in).",
}
# Told only where chosen: not in the defaults.
OPT_IN_TRIGGERS: tuple[TriggerName, ...] = ("revised",)
DEFAULT_TRIGGERS: tuple[TriggerName, ...] = tuple(
    t for t in NOTIFICATION_TRIGGERS if t not in OPT_IN_TRIGGERS
)
# Names older console records carry (merchants.v1 is compacted: old records stay) → current.
LEGACY_TRIGGERS: dict[str, TriggerName] = {"shipped": "in_transit"}


def current_triggers(names: Iterable[str]) -> tuple[TriggerName, ...]:
    """Legacy names mapped to current ones, names this version does not know dropped (a newer
    writer's), duplicates removed, in the vocabulary's order."""
    chosen = {LEGACY_TRIGGERS.get(name, name) for name in names}
    return tuple(t for t in NOTIFICATION_TRIGGERS if t in chosen)
