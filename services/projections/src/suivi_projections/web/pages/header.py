"""The status page's header: an honest headline, the last carrier scan, the stepper.

The headline names the parcel that most needs the shopper's eyes (a failed attempt before a
return, a return before a silent parcel …), says what happens next and who to contact; "today"
and "tomorrow" are the shopper's (the translator's zone); the time shown is the last carrier
scan, never the order's own update time (a merchant edit is no news about a parcel).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from suivi_projections.domain.orders import OrderStatus
from suivi_projections.query.views import OrderView, ShipmentView, Watch
from suivi_projections.web.pages.content import Stage
from suivi_projections.web.pages.i18n import Translator
from suivi_schemas import ShipmentStatus

S = ShipmentStatus
STAGES = ("confirmed", "shipped", "in_transit", "out_for_delivery", "delivered")
RETURN_STAGES = ("confirmed", "shipped", "returning", "returned")
_RETURNS = frozenset({S.RETURNING_TO_SENDER, S.RETURNED_TO_SENDER})
_SHIPMENT_STAGE: dict[ShipmentStatus | None, int] = {
    None: 1, S.PENDING: 1, S.INFO_RECEIVED: 1, S.CANCELLED: 1, S.EXPIRED: 1,
    S.IN_TRANSIT: 2, S.EXCEPTION: 2, S.LOST: 2,
    S.OUT_FOR_DELIVERY: 3, S.AVAILABLE_FOR_PICKUP: 3, S.DELIVERY_ATTEMPT_FAILED: 3,
    S.DELIVERED: 4,
}  # fmt: skip
_ORDER_STAGE = {
    OrderStatus.CONFIRMED: 0, OrderStatus.PARTIALLY_SHIPPED: 1, OrderStatus.SHIPPED: 1,
    OrderStatus.IN_TRANSIT: 2, OrderStatus.OUT_FOR_DELIVERY: 3, OrderStatus.DELIVERED: 4,
}  # fmt: skip
_ORDER_TONES = {
    OrderStatus.DELIVERED: "success", OrderStatus.NEEDS_ATTENTION: "warning",
    OrderStatus.CANCELLED: "muted",
}  # fmt: skip
# Most urgent first: what the shopper must act on, then what changes the outcome, then waits.
CONCERNS = ("exception", "attempt", "returned", "returning", "late", "stalled", "pickup")
_CONCERN_OF = {
    S.EXCEPTION: "exception", S.LOST: "exception", S.DELIVERY_ATTEMPT_FAILED: "attempt",
    S.RETURNED_TO_SENDER: "returned", S.RETURNING_TO_SENDER: "returning",
    S.AVAILABLE_FOR_PICKUP: "pickup",
}  # fmt: skip


@dataclass(frozen=True, slots=True)
class Header:
    headline: str
    subline: str
    next_step: str | None  # what happens next and who to contact (a concern only)
    tone: str
    concern: str | None  # "stalled", "late", "attempt", "exception", "returning", …
    stages: tuple[Stage, ...]
    last_scan: str


def concern_of(shipment: ShipmentView) -> str | None:
    """What the shopper should know about this parcel beyond its status, if anything."""
    concern = _CONCERN_OF.get(shipment.status) if shipment.status else None
    if concern is None and shipment.watch is not None:
        return "late" if shipment.watch is Watch.LATE else "stalled"
    return concern


def header(order: OrderView, t: Translator) -> Header:
    active = [s for s in order.shipments if s.state != "cancelled"]
    cancelled = order.cancelled or order.status is OrderStatus.CANCELLED
    found = {c for c in map(concern_of, active) if c} if not cancelled else set()
    concern = next((c for c in CONCERNS if c in found), None)
    if concern is not None and order.status is not OrderStatus.DELIVERED:
        many = len(active) > 1
        headline = t(f"concern.{concern}" + (".some" if many else ""))
        subline = t(f"concern.{concern}.sub")
        next_step: str | None = t(f"concern.{concern}.next")
        tone = f"concern-{concern}"
    else:
        concern, next_step = None, None
        headline = t(f"order.{order.status.value}")
        subline = _subline(order, active, t)
        tone = _ORDER_TONES.get(order.status, "info")
    return Header(
        headline=headline,
        subline=subline,
        next_step=next_step,
        tone=tone,
        concern=concern,
        stages=() if cancelled else _stages(order, active, t),
        last_scan=_last_scan(active, t),
    )


def _subline(order: OrderView, active: Sequence[ShipmentView], t: Translator) -> str:
    if order.status is OrderStatus.OUT_FOR_DELIVERY:
        # "Arriving today" only when the carrier took it out today, in the shopper's zone.
        out = [s.last_event_at for s in active if s.status is S.OUT_FOR_DELIVERY]
        if not any(m is not None and t.local(m).date() == t.today for m in out):
            return t("order.out_for_delivery.sub_plain")
    return t(f"order.{order.status.value}.sub")


def _last_scan(active: Sequence[ShipmentView], t: Translator) -> str:
    scans: list[datetime] = [s.last_event_at for s in active if s.last_event_at is not None]
    return t("page.last_scan", moment=t.moment(max(scans))) if scans else t("page.no_scan")


def _stages(order: OrderView, active: Sequence[ShipmentView], t: Translator) -> tuple[Stage, ...]:
    if active and all(s.status in _RETURNS for s in active):
        returned = all(s.status is S.RETURNED_TO_SENDER for s in active)
        return _steps(RETURN_STAGES, 3 if returned else 2, t)
    stage = _ORDER_STAGE.get(order.status)
    if stage is None:  # partially delivered, needs attention: the least advanced parcel
        going = [s for s in active if s.status not in _RETURNS]  # a return is no progress step
        stage = min((_SHIPMENT_STAGE.get(s.status, 1) for s in going), default=1)
    return _steps(STAGES, stage, t)


def _steps(names: tuple[str, ...], current: int, t: Translator) -> tuple[Stage, ...]:
    return tuple(
        Stage(t(f"stage.{name}"), "done" if i < current else "current" if i == current else "todo")
        for i, name in enumerate(names)
    )
