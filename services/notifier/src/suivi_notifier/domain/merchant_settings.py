"""A merchant's notification settings from its console record on merchants.v1, over the
environment's: a merchant with a record gets exactly what its console settings say (channels,
triggers, SMS quiet hours, digest frequency); one without keeps the environment's (the bootstrap
path: SUIVI_NOTIFIER_TRIGGERS / _MERCHANT_TRIGGERS, _SMS_QUIET_*, _MERCHANT_ALERTS).

Settings are looked up at each decision (`Lookup`, the merchant book reading the followed
directory), never kept: a change on the topic holds from the next message on.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from suivi_notifier.domain.planning import QuietHours
from suivi_notifier.domain.triggers import CONFIGURABLE, TriggerPolicy
from suivi_schemas import Channel
from suivi_schemas.merchants import NotificationSettings

# A merchant's current console settings, or None when it has no record.
Lookup = Callable[[str], NotificationSettings | None]
# The skip reason of a message on a channel the merchant turned off.
CHANNEL_OFF = "merchant_channel_off"
DIGEST_MINUTES: dict[str, int] = {"daily": 24 * 60, "weekly": 7 * 24 * 60}


def no_record(merchant_id: str) -> NotificationSettings | None:
    """The lookup of a notifier that does not follow merchants.v1."""
    return None


@dataclass(frozen=True, slots=True)
class MerchantTriggers(TriggerPolicy):
    """The environment's policy, except for merchants with a record: their chosen triggers."""

    settings: Lookup = no_record

    def enabled(self, merchant_id: str | None) -> frozenset[str]:
        if merchant_id is None:
            return CONFIGURABLE
        found = self.settings(merchant_id)
        if found is not None:
            return frozenset(found.triggers)
        return TriggerPolicy.enabled(self, merchant_id)


def channel_off(settings: NotificationSettings | None, channel: Channel) -> bool:
    """True when the merchant's record leaves `channel` out (no record: every channel is on)."""
    return settings is not None and channel.value not in settings.channels


def quiet_hours(settings: NotificationSettings | None, default: QuietHours) -> QuietHours:
    """The merchant's SMS quiet hours when it set both ends, else the deployment's; always in
    the shopper's zone (the default's fallback zone when the order gives none)."""
    if settings is None or settings.quiet_start is None or settings.quiet_end is None:
        return default
    return QuietHours(settings.quiet_start, settings.quiet_end, default.fallback_zone)


def digest_minutes(settings: NotificationSettings | None, env_minutes: int | None) -> int | None:
    """How long one digest period of the merchant lasts; None: no digest. The record's
    frequency wins (off / daily / weekly); without a record, the environment's minutes."""
    if settings is None:
        return env_minutes
    return DIGEST_MINUTES.get(settings.digest)
