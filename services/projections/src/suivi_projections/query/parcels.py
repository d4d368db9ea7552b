"""One parcel, one story (issue 17): a shipment's legs read as one parcel.

`ParcelReadModel` is the PostgreSQL read model whose orders and shipments are completed with
the other legs of their parcel (`parcel_legs`, written by write/legs.py): the status is the
leading leg's (domain/legs.py: never backwards because an older leg reports late), the
timeline holds every leg's checkpoints newest first, each with its carrier, and `legs` lists
the hand-offs for the page. A shipment that is not part of a linked parcel is returned as is:
one query more per page, nothing else.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass

from suivi_projections.domain.legs import Leg, LegState, leading
from suivi_projections.domain.orders import LinkedShipment, OrderStatus, order_status, with_watch
from suivi_projections.domain.shipments import key_of
from suivi_projections.query.readmodel import PostgresReadModel
from suivi_projections.query.views import OrderView, ShipmentView, TimelineEntry

PARCELS_OF = """
SELECT p.carrier, p.tracking_number, o.carrier, o.tracking_number, o.position
FROM parcel_legs p
JOIN parcel_legs o USING (parcel_carrier, parcel_tracking_number)
JOIN unnest($1::text[], $2::text[]) AS k (carrier, tracking_number)
    ON (k.carrier, k.tracking_number) = (p.carrier, p.tracking_number)
ORDER BY 1, 2, 5, 3, 4
"""


@dataclass(frozen=True, slots=True)
class LegView:
    """One carrier's part of the parcel, in chain order (position 0: the first carrier)."""

    carrier: str
    tracking_number: str
    position: int
    started: bool  # the carrier has reported the parcel


@dataclass(frozen=True, slots=True)
class LegEntry(TimelineEntry):
    """A checkpoint of a parcel with several legs: with the carrier that reported it."""

    carrier: str | None = None


@dataclass(frozen=True, slots=True)
class ParcelView(ShipmentView):
    """A shipment completed with its parcel's other legs."""

    legs: tuple[LegView, ...] = ()


def merge(primary: ShipmentView, legs: Sequence[tuple[LegView, ShipmentView | None]]) -> ParcelView:
    """The parcel's story from each leg's own view (pure; any order of `legs`, same result)."""
    ordered = sorted(legs, key=lambda lv: (lv[0].position, lv[0].carrier, lv[0].tracking_number))
    states = [
        LegState((lv.carrier, lv.tracking_number), lv.position, v.status, v.last_event_at)
        for lv, v in ordered
        if v is not None
    ]
    lead = leading(states)
    views = {(lv.carrier, lv.tracking_number): v for lv, v in ordered if v is not None}
    source = views[lead.leg] if lead is not None else primary
    entries = [
        LegEntry(**{f.name: getattr(e, f.name) for f in dataclasses.fields(e)}, carrier=lv.carrier)
        for lv, v in ordered
        if v is not None
        for e in v.timeline
    ]
    entries.sort(key=lambda e: (e.occurred_at, e.event_id), reverse=True)
    unique = {e.event_id: e for e in reversed(entries)}  # a scan two legs share: once
    timeline = tuple(
        sorted(unique.values(), key=lambda e: (e.occurred_at, e.event_id), reverse=True)
    )
    return ParcelView(
        **{f.name: getattr(primary, f.name) for f in dataclasses.fields(ShipmentView)}
        | {
            "status": source.status,
            "substatus": source.substatus,
            "action_required": source.action_required,
            "reason": source.reason,
            "last_event_at": source.last_event_at,
            "last_message": source.last_message,
            "last_location": source.last_location,
            "estimated_delivery": source.estimated_delivery or primary.estimated_delivery,
            "delivered_at": source.delivered_at,
            "watch": source.watch,
            "timeline": timeline,
        },
        legs=tuple(
            dataclasses.replace(lv, started=(lv.carrier, lv.tracking_number) in views)
            for lv, _ in ordered
        ),
    )


def _status(order: OrderView, shipments: Sequence[ShipmentView]) -> OrderStatus:
    """The order's status from its whole parcels (the stored one knows their first legs only)."""
    status = order_status(
        cancelled=order.cancelled,
        line_items=tuple((li.line_item_id, li.quantity) for li in order.line_items),
        shipments=[
            LinkedShipment(s.state, tuple((i.line_item_id, i.quantity) for i in s.items),
                           s.status, s.action_required)
            for s in shipments
        ],
    )  # fmt: skip
    watched = any(s.state == "active" and s.watch is not None for s in shipments)
    return with_watch(status, watched=watched)


class ParcelReadModel(PostgresReadModel):
    """PostgresReadModel whose shipments are whole parcels (see the module docstring)."""

    async def _parcels(self, keys: Sequence[Leg]) -> dict[Leg, list[LegView]]:
        if not keys:
            return {}
        rows = await self.pool.fetch(PARCELS_OF, [k[0] for k in keys], [k[1] for k in keys])
        found: dict[Leg, list[LegView]] = {}
        for r in rows:
            found.setdefault((r[0], r[1]), []).append(LegView(r[2], r[3], r[4], False))
        return found

    async def _whole(self, view: ShipmentView, legs: list[LegView] | None) -> ShipmentView:
        if not legs or len(legs) < 2:
            return view
        key = key_of(view.carrier, view.tracking_number)
        others: list[tuple[LegView, ShipmentView | None]] = []
        for lv in legs:  # a few legs at most: one read each, of their newest parcel
            leg = (lv.carrier, lv.tracking_number)
            other = view if leg == key else await super().shipment(*leg)
            others.append((lv, other))
        return merge(view, others)

    async def _complete(self, order: OrderView | None) -> OrderView | None:
        if order is None or not order.shipments:
            return order
        keys = [key_of(s.carrier, s.tracking_number) for s in order.shipments]
        found = await self._parcels(keys)
        if not found:
            return order
        shipments = tuple(
            [await self._whole(s, found.get(k)) for s, k in zip(order.shipments, keys, strict=True)]
        )
        return dataclasses.replace(order, shipments=shipments, status=_status(order, shipments))

    async def order_by_status_token(self, token: str) -> OrderView | None:
        return await self._complete(await super().order_by_status_token(token))

    async def order_by_share_token(self, token: str) -> OrderView | None:
        return await self._complete(await super().order_by_share_token(token))

    async def order_by_number(self, merchant_id: str, order_number: str) -> OrderView | None:
        return await self._complete(await super().order_by_number(merchant_id, order_number))

    async def shipment(self, carrier: str, tracking_number: str) -> ShipmentView | None:
        view = await super().shipment(carrier, tracking_number)
        if view is None:
            return None
        key = key_of(carrier, tracking_number)
        return await self._whole(view, (await self._parcels([key])).get(key))

    async def shipment_for_merchant(
        self, merchant_id: str, carrier: str, tracking_number: str
    ) -> ShipmentView | None:
        view = await super().shipment_for_merchant(merchant_id, carrier, tracking_number)
        if view is None:
            return None
        key = key_of(carrier, tracking_number)
        return await self._whole(view, (await self._parcels([key])).get(key))
