"""What the status page shows, built from an `OrderView` (view models in `pages.content`).

Privacy is structural: `PublicOrder` (progress, parcels, items) has no field that could hold
personal data, and the shareable page is rendered from a `PublicOrder` alone, built with
`shared=True` (no carrier free text, which may quote a name or a signature; no postal codes;
tracking numbers masked). Personal details live in `PrivateDetails`, which only the private
page receives.
"""

from __future__ import annotations

import re
from collections import Counter
from datetime import date

from suivi_projections.domain.orders import OrderStatus
from suivi_projections.query.views import OrderView, ShipmentView, TimelineEntry, Watch
from suivi_projections.web.pages import estimate_words
from suivi_projections.web.pages.content import (
    Advice,
    Day,
    Eta,
    Event,
    Item,
    Parcel,
    PrivateDetails,
    PublicOrder,
)
from suivi_projections.web.pages.handoffs import handoffs, leg_carrier
from suivi_projections.web.pages.header import header
from suivi_projections.web.pages.i18n import Translator
from suivi_schemas import EstimatedDelivery, EstimateSource, Location, ShipmentStatus, Substatus
from suivi_schemas.carriers import display_name, tracking_url

S = ShipmentStatus
_TONES = {
    S.DELIVERED: "success", S.EXCEPTION: "warning", S.DELIVERY_ATTEMPT_FAILED: "warning",
    S.AVAILABLE_FOR_PICKUP: "action", S.RETURNING_TO_SENDER: "return",
    S.RETURNED_TO_SENDER: "return", S.LOST: "danger", S.CANCELLED: "muted", S.EXPIRED: "muted",
}  # fmt: skip
_ADVICE_TONE = {
    "delivered": "success", "available_for_pickup": "action", "lost": "danger",
    "returning_to_sender": "return", "returned_to_sender": "return",
}  # fmt: skip
_HELP_TOPIC = {
    "late": "late", "stalled": "stalled", "pickup": "pickup", "returned": "returned",
    "returning": "returned",
}  # fmt: skip
_NO_ETA = frozenset({S.AVAILABLE_FOR_PICKUP, S.RETURNED_TO_SENDER, S.LOST, S.CANCELLED, S.EXPIRED})
_COUNT = re.compile(r"\d+")
# Where these happen is where the shopper lives (or collects): not on the shareable page.
_LAST_MILE = frozenset(
    {S.OUT_FOR_DELIVERY, S.DELIVERY_ATTEMPT_FAILED, S.DELIVERED, S.AVAILABLE_FOR_PICKUP}
)


def public_order(
    order: OrderView, t: Translator, *, shared: bool, shop: str | None = None
) -> PublicOrder:
    """`shop`: the shop's display name (web.shops); without one, the merchant's id."""
    top = header(order, t)
    total = len(order.shipments)
    parcels = tuple(
        _parcel(s, n, total, t, shared=shared, promise=order.promised_delivery_date)
        for n, s in enumerate(order.shipments, 1)
    )
    return PublicOrder(
        merchant=shop or order.merchant_id,
        order_number=order.order_number,
        language=t.language,
        headline=top.headline,
        subline=top.subline,
        next_step=top.next_step,
        tone=top.tone,
        concern=top.concern,
        help_topic=_HELP_TOPIC.get(top.concern or ""),
        cancelled=order.cancelled or order.status is OrderStatus.CANCELLED,
        stages=top.stages,
        parcels=parcels,
        unshipped=_unshipped(order),
        items=tuple(Item(li.title, li.quantity) for li in order.line_items),
        placed_on=t.day(order.placed_at, weekday=False, relative=False),
        last_scan=top.last_scan,
    )


def private_details(order: OrderView) -> PrivateDetails:
    address = order.shipping_address or {}
    city_line = " ".join(str(address[k]) for k in ("postal_code", "city") if address.get(k))
    lines = [str(address[k]) for k in ("name", "line1", "line2") if address.get(k)] + [
        part for part in (city_line, str(address.get("region") or "")) if part
    ]
    if address.get("country"):
        lines.append(str(address["country"]))
    return PrivateDetails(
        name=order.customer_name,
        email=order.customer_email,
        phone=order.customer_phone,
        address_lines=tuple(lines),
    )


def mask(tracking_number: str) -> str:
    return "•••• " + tracking_number[-4:] if len(tracking_number) > 6 else "••••"


def _parcel(
    s: ShipmentView, n: int, total: int, t: Translator, *, shared: bool, promise: date | None = None
) -> Parcel:
    status = t(f"shipment.{s.status.value}") if s.status else t("shipment.none")
    detail = _sub_label(s.substatus, t)
    cancelled = s.state == "cancelled"
    return Parcel(
        heading=t("page.parcel", n=n, total=total) if total > 1 else t("page.parcel_single"),
        carrier=display_name(s.carrier),
        tracking_number=mask(s.tracking_number) if shared else s.tracking_number,
        # (the carrier's page shows the full number: private page only)
        carrier_url=None if shared else tracking_url(s.carrier, s.tracking_number),
        status=t("page.cancelled_parcel") if cancelled else status,
        detail=None if detail == status or cancelled else detail,
        tone="muted" if cancelled else _tone(s),
        cancelled=cancelled,
        eta=None if cancelled else _eta(s, t, promise),
        advice=_advice(s, t, shared=shared, promise=promise),
        last_update=t("page.last_update", moment=t.moment(s.last_event_at))
        if s.last_event_at
        else None,
        items=tuple(Item(i.title, i.quantity) for i in s.items),
        days=_days(s.timeline, t, shared=shared),
        handoffs=handoffs(s, t, shared=shared, mask=mask),
    )


def _tone(s: ShipmentView) -> str:
    if s.status in _TONES:
        return _TONES[s.status]
    if s.watch is not None:  # silent or overdue: its own look, not a calm "in transit"
        return "late" if s.watch is Watch.LATE else "stalled"
    return "info"


def _sub_label(substatus: Substatus | None, t: Translator) -> str | None:
    if substatus is None or not t.has(f"sub.{substatus.value}"):
        return None
    return t(f"sub.{substatus.value}")


def _eta(s: ShipmentView, t: Translator, promise: date | None = None) -> Eta | None:
    if s.status is ShipmentStatus.DELIVERED:
        when = s.delivered_at or s.last_event_at
        return Eta(t("eta.delivered"), t.moment(when), None, delivered=True) if when else None
    estimate = s.estimated_delivery
    if estimate is None or s.status in _NO_ETA or s.watch is Watch.LATE:
        return None  # (late: the advice says so; a date in the past is no estimate)
    if s.last_event_at is not None:
        last_day = t.local(s.last_event_at).date()
        if estimate.latest < last_day:  # stale: the window is over
            return None
        if s.status is S.DELIVERY_ATTEMPT_FAILED and estimate.latest <= last_day:
            return None  # today's delivery failed: wait for the carrier's new date
    story = s.estimate_story
    ours = estimate_words.prediction(story, t) if story is not None else None
    return Eta(t("eta.expected"), _window(estimate, t), _estimate_source(estimate, t),
               prediction=ours, note=estimate_words.note(s, t, promise))  # fmt: skip


def _window(estimate: EstimatedDelivery, t: Translator) -> str:
    text = t.day(estimate.earliest)
    if estimate.latest != estimate.earliest:
        text = t("eta.between", start=text, end=t.day(estimate.latest))
    elif estimate.earliest_at and estimate.latest_at and estimate.earliest_at < estimate.latest_at:
        hours = t("eta.between", start=t.time(estimate.earliest_at), end=t.time(estimate.latest_at))
        text = f"{text}, {hours}"
    return text


def _estimate_source(estimate: EstimatedDelivery, t: Translator) -> str:
    if estimate.source is EstimateSource.PREDICTED:
        count = _COUNT.search(estimate.detail or "")
        if count:
            return t("eta.source.predicted", n=int(count.group()))
        return t("eta.source.predicted_plain")
    return t(f"eta.source.{estimate.source.value}")


def _advice(
    s: ShipmentView, t: Translator, *, shared: bool, promise: date | None = None
) -> Advice | None:
    if s.state == "cancelled":
        return Advice("muted", t("advice.cancelled.title"), t("advice.cancelled"))
    if s.status is None:
        return None
    status = s.status.value
    city = None if shared or s.last_location is None else s.last_location.city
    place = f" ({city})" if city else ""
    sub = f"advice.sub.{s.substatus.value}" if s.substatus else None
    if sub is not None and t.has(sub):
        text = t(sub, place=place)
    elif s.status is ShipmentStatus.EXCEPTION and s.action_required:
        text = t("advice.exception.action")
    elif t.has(f"advice.{status}") and status != "delivered":
        text = t(f"advice.{status}", place=place)
    elif s.watch is not None and s.last_event_at is not None:
        since = t.moment(s.last_event_at)
        key = f"advice.watch.{s.watch.value}"
        # Late by the shop's promised day when the monitor judged that one (the earlier day).
        if (
            s.watch is Watch.LATE
            and promise is not None
            and estimate_words.shop_day_first(s, promise)
        ):
            text = t("advice.watch.late_shop", day=t.day(promise), since=since)
        else:
            text = t(key, since=since)
        return Advice("warning", t(f"{key}.title"), text)
    else:
        return None
    title_key = f"advice.{status}.title"
    title = (
        t(title_key) if t.has(title_key) else _sub_label(s.substatus, t) or t(f"shipment.{status}")
    )
    tone = _ADVICE_TONE.get(status, "warning")
    if s.action_required and tone != "action":
        tone = "warning"
    return Advice(tone, title, text)


def _place(location: Location | None, *, shared: bool) -> str | None:
    if location is None or location.is_empty():
        return None
    city = (
        location.city if shared else " ".join(p for p in (location.postal_code, location.city) if p)
    )
    parts = [p for p in (city, location.country) if p]
    return ", ".join(parts) if parts else None


def _days(timeline: tuple[TimelineEntry, ...], t: Translator, *, shared: bool) -> tuple[Day, ...]:
    entries = sorted(timeline, key=lambda e: e.occurred_at, reverse=True)  # newest first
    days: dict[date, list[Event]] = {}
    for index, entry in enumerate(entries):
        status = t(f"shipment.{entry.status.value}")
        title = _sub_label(entry.substatus, t) or status
        detail = None if shared or not entry.message else entry.message.strip()[:300]
        days.setdefault(t.local(entry.occurred_at).date(), []).append(
            Event(
                time=t.time(entry.occurred_at),
                title=title,
                detail=detail,
                place=None
                if shared and entry.status in _LAST_MILE
                else _place(entry.location, shared=shared),
                action_required=entry.action_required,
                newest=index == 0,
                carrier=leg_carrier(entry),
            )
        )
    return tuple(Day(t.day(d), tuple(events)) for d, events in days.items())


def _unshipped(order: OrderView) -> tuple[Item, ...]:
    shipped: Counter[str] = Counter()
    for s in order.shipments:
        if s.state != "cancelled":
            for item in s.items:
                shipped[item.line_item_id] += item.quantity
    if not order.shipments:
        return ()
    return tuple(
        Item(li.title, li.quantity - shipped[li.line_item_id])
        for li in order.line_items
        if li.quantity > shipped[li.line_item_id]
    )
