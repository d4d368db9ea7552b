"""Which statuses (and alert kinds) tell the shopper something, globally and per merchant."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from suivi_schemas import AlertKind, ShipmentStatus
from suivi_schemas.triggers import DEFAULT_TRIGGERS as _DEFAULT_NAMES
from suivi_schemas.triggers import NOTIFICATION_TRIGGERS, OPT_IN_TRIGGERS

# The vocabulary is suivi_schemas.triggers (shared with the console and merchants.v1).
# The statuses that can trigger a message, the first time a shipment reaches each (the returns
# among them: back at the shop, the shopper is owed a next step).
TRIGGERS: tuple[ShipmentStatus, ...] = tuple(
    ShipmentStatus(t) for t in NOTIFICATION_TRIGGERS if t in ShipmentStatus.__members__.values()
)
TRIGGER_NAMES: frozenset[str] = frozenset(t.value for t in TRIGGERS)
# Alert kinds from tracking.alerts.v1 that tell the shopper something (`recovered` follows the
# episode it ends: told only where the episode was told).
ALERT_TRIGGERS: tuple[str, ...] = tuple(
    t
    for t in NOTIFICATION_TRIGGERS
    if t in AlertKind.__members__.values() and t not in OPT_IN_TRIGGERS
)
# Alert kinds told only where the merchant (or SUIVI_NOTIFIER_TRIGGERS) names them: `revised`,
# the carrier moved its date later than it first said (once per parcel; issue 21).
OPT_IN_ALERT_TRIGGERS: tuple[str, ...] = OPT_IN_TRIGGERS
# What is enabled when nothing is configured: every status and alert trigger but the opt-in.
DEFAULT_TRIGGERS: frozenset[str] = frozenset(_DEFAULT_NAMES)
# Everything a trigger setting may name.
CONFIGURABLE: frozenset[str] = frozenset(NOTIFICATION_TRIGGERS)


def parse_triggers(names: Iterable[str]) -> frozenset[str]:
    """Validated trigger names; anything outside CONFIGURABLE is a configuration error."""
    chosen = frozenset(n.strip() for n in names if n.strip())
    unknown = chosen - CONFIGURABLE
    if unknown:
        raise ValueError(
            f"unknown trigger(s) {sorted(unknown)}; choose among {sorted(CONFIGURABLE)}"
        )
    return chosen


@dataclass(frozen=True, slots=True)
class TriggerPolicy:
    """The enabled triggers: a default set, and a set per merchant that overrides it."""

    default: frozenset[str] = DEFAULT_TRIGGERS
    per_merchant: Mapping[str, frozenset[str]] = field(default_factory=dict)

    @classmethod
    def build(
        cls, default: Iterable[str], per_merchant: Mapping[str, Iterable[str]]
    ) -> TriggerPolicy:
        return cls(
            parse_triggers(default),
            {m: parse_triggers(t) for m, t in per_merchant.items()},
        )

    def enabled(self, merchant_id: str | None) -> frozenset[str]:
        """A merchant's triggers; with no known merchant, every trigger stays possible."""
        if merchant_id is None:
            return CONFIGURABLE
        return self.per_merchant.get(merchant_id, self.default)

    def enabled_for_any(self, merchant_ids: Iterable[str]) -> frozenset[str]:
        merchants = list(merchant_ids)
        if not merchants:
            return CONFIGURABLE
        out: frozenset[str] = frozenset()
        for merchant in merchants:
            out |= self.enabled(merchant)
        return out
