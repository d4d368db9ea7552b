"""Who is told what, on which channels: decided when a pending trigger falls due, and checked
again just before each send (the shopper may have opted out since)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from enum import StrEnum

from suivi_notifier.domain.schedule import quiet_until, zone
from suivi_notifier.domain.shipment import Pending
from suivi_schemas import Channel

# Order of sending when several channels are due: the cheapest first.
CHANNELS: tuple[Channel, ...] = (Channel.PUSH, Channel.EMAIL, Channel.SMS)


@dataclass(frozen=True, slots=True)
class Recipient:
    """The notifier's own view of an order's shopper (from `commerce.orders.v1`)."""

    merchant_id: str
    order_number: str
    cancelled: bool = False
    shipment_active: bool = True
    email: str | None = None
    phone: str | None = None
    name: str | None = None
    locale: str = "en"
    timezone: str = "UTC"
    opt_email: bool = True
    opt_sms: bool = False
    email_unsubscribed: bool = False
    sms_unsubscribed: bool = False
    push_subscriptions: int = 0
    parcels: int = 1  # the order's active parcels
    delivered: int = 0  # of which delivered, up to the parcel this message is about
    place: str | None = None  # where the carrier last saw the parcel ("Lyon, FR")
    items: tuple[tuple[str, int], ...] = ()  # what the parcel holds: (title, quantity)


@dataclass(frozen=True, slots=True)
class Capabilities:
    """Channels this deployment can send on (configured)."""

    email: bool = True
    sms: bool = True
    push: bool = True


class TriggerOutcome(StrEnum):
    NOTIFY = "notify"
    STALE = "stale"  # the event is older than the notification horizon
    DISABLED = "disabled"  # the merchant does not notify this status
    CANCELLED = "cancelled"  # the order or this parcel was cancelled
    NO_CHANNEL = "no_channel"  # no channel the shopper opted into and we can reach


@dataclass(frozen=True, slots=True)
class Plan:
    outcome: TriggerOutcome
    channels: tuple[Channel, ...] = ()


def reachable(channel: Channel, recipient: Recipient, capabilities: Capabilities) -> bool:
    if channel is Channel.EMAIL:
        return (
            capabilities.email
            and recipient.opt_email
            and bool(recipient.email)
            and not recipient.email_unsubscribed
        )
    if channel is Channel.SMS:
        return (
            capabilities.sms
            and recipient.opt_sms
            and bool(recipient.phone)
            and not recipient.sms_unsubscribed
        )
    if channel is Channel.PUSH:
        # Registering a subscription on the status page is the shopper's opt-in.
        return capabilities.push and recipient.push_subscriptions > 0
    return False


def plan(
    pending: Pending,
    recipient: Recipient,
    *,
    enabled: frozenset[str],
    capabilities: Capabilities,
    now: datetime,
    max_age: timedelta,
) -> Plan:
    if recipient.cancelled or not recipient.shipment_active:
        return Plan(TriggerOutcome.CANCELLED)
    if pending.trigger not in enabled:
        return Plan(TriggerOutcome.DISABLED)
    if now - pending.occurred_at > max_age:
        return Plan(TriggerOutcome.STALE)
    channels = tuple(c for c in CHANNELS if reachable(c, recipient, capabilities))
    if not channels:
        return Plan(TriggerOutcome.NO_CHANNEL)
    return Plan(TriggerOutcome.NOTIFY, channels)


@dataclass(frozen=True, slots=True)
class QuietHours:
    start: time
    end: time
    fallback_zone: str = "UTC"


class GateAction(StrEnum):
    SEND = "send"
    SKIP = "skip"
    DEFER = "defer"


@dataclass(frozen=True, slots=True)
class Gate:
    action: GateAction
    reason: str | None = None
    until: datetime | None = None


def gate(
    channel: Channel,
    recipient: Recipient | None,
    *,
    capabilities: Capabilities,
    quiet: QuietHours,
    now: datetime,
) -> Gate:
    """Just before a send: still wanted, still reachable, and (SMS) not in the shopper's night."""
    if recipient is None:
        return Gate(GateAction.SKIP, "order_unknown")
    if recipient.cancelled or not recipient.shipment_active:
        return Gate(GateAction.SKIP, "cancelled")
    if not reachable(channel, recipient, capabilities):
        return Gate(GateAction.SKIP, "opted_out")
    if channel is Channel.SMS:
        tz = zone(recipient.timezone, zone(quiet.fallback_zone))
        until = quiet_until(now, tz, quiet.start, quiet.end)
        if until is not None:
            return Gate(GateAction.DEFER, "quiet_hours", until)
    return Gate(GateAction.SEND)
