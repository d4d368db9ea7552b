"""`PostgresReadModel`: the `ReadModel` port of query/views.py over the projector's tables."""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import asyncpg

from suivi_projections.db.rows import optional
from suivi_projections.domain.orders import OrderStatus, with_watch
from suivi_projections.domain.shipments import key_of
from suivi_projections.query import estimates
from suivi_projections.query.sql import (
    LOOKUP,
    ORDER_BY_NUMBER,
    ORDER_BY_SHARE_TOKEN,
    ORDER_BY_STATUS_TOKEN,
    ORDER_SHIPMENTS,
    ORDER_TIMELINES,
    ORDERS_PAGE,
    ORDERS_PAGE_BY_STATUS,
    SHIPMENT,
    SHIPMENT_FOR_MERCHANT,
    SHIPMENT_TIMELINE,
)
from suivi_projections.query.views import (
    LineItemView,
    OrderPage,
    OrderSummary,
    OrderView,
    ShipmentItemView,
    ShipmentView,
    TimelineEntry,
    Watch,
    lookup_keys,
)
from suivi_schemas import (
    TERMINAL_STATUSES,
    EstimatedDelivery,
    EstimateSource,
    Location,
    Reason,
    ShipmentStatus,
    Substatus,
)

Generation = tuple[str, str, int]
_END_OF_TIME = datetime.max.replace(tzinfo=UTC)


def encode_cursor(placed_at: datetime, order_number: str) -> str:
    data = json.dumps([placed_at.isoformat(), order_number]).encode()
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def order_page(rows: Sequence[asyncpg.Record], limit: int) -> OrderPage:
    """A page of summaries from rows fetched `limit + 1` at most (one more: there is a next)."""
    summaries = tuple(
        OrderSummary(
            r["merchant_id"],
            r["order_number"],
            r["placed_at"],
            r["updated_at"],
            OrderStatus(r["status"]),
            r["shipments"],
        )
        for r in rows[:limit]
    )
    last = summaries[-1] if summaries and len(rows) > limit else None
    return OrderPage(summaries, encode_cursor(last.placed_at, last.order_number) if last else None)


def decode_cursor(cursor: str) -> tuple[datetime, str]:
    """Raises ValueError on a cursor this module did not make."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        placed_at, order_number = json.loads(raw)
        moment = datetime.fromisoformat(placed_at)
    except (binascii.Error, UnicodeDecodeError, TypeError, ValueError) as exc:
        raise ValueError("invalid cursor") from exc
    if moment.tzinfo is None or not isinstance(order_number, str):
        raise ValueError("invalid cursor")
    return moment, order_number


class PostgresReadModel:
    def __init__(self, pool: asyncpg.Pool) -> None:
        self.pool = pool

    async def order_by_status_token(self, token: str) -> OrderView | None:
        return await self._order(ORDER_BY_STATUS_TOKEN, token)

    async def order_by_share_token(self, token: str) -> OrderView | None:
        return await self._order(ORDER_BY_SHARE_TOKEN, token)

    async def order_by_number(self, merchant_id: str, order_number: str) -> OrderView | None:
        return await self._order(ORDER_BY_NUMBER, merchant_id, order_number)

    async def order_for_lookup(self, merchant_id: str, order_number: str) -> tuple[str, str] | None:
        """(normalized customer email, status token); None also when the order has no email.
        `order_number` may also be one of the order's tracking numbers (views.lookup_keys)."""
        row = await self.pool.fetchrow(LOOKUP, merchant_id, *lookup_keys(order_number))
        if row is None or not row["customer_email"]:
            return None
        return row["customer_email"].strip().lower(), row["status_token"]

    async def orders(
        self, merchant_id: str, status: OrderStatus | None, cursor: str | None, limit: int
    ) -> OrderPage:
        """Newest placed first; keyset cursor, so inserts never shift or repeat a page."""
        placed_at, order_number = decode_cursor(cursor) if cursor else (_END_OF_TIME, "")
        limit = max(1, limit)
        args: list[Any] = [merchant_id, placed_at, order_number, limit + 1]
        query = ORDERS_PAGE
        if status is not None:
            query = ORDERS_PAGE_BY_STATUS
            args.append(status.value)
        return order_page(await self.pool.fetch(query, *args), limit)

    async def shipment(self, carrier: str, tracking_number: str) -> ShipmentView | None:
        """The newest generation (parcel) of this tracking number."""
        key = key_of(carrier, tracking_number)
        async with self.pool.acquire() as conn:
            row = await conn.fetchrow(SHIPMENT, *key)
            if row is None:
                return None
            events = await conn.fetch(SHIPMENT_TIMELINE, *key, row["generation"])
        titles = _titles(json.loads(row["line_items"]) if row["line_items"] else [])
        return _shipment(row, titles, [_entry(e) for e in events])

    async def shipment_for_merchant(
        self, merchant_id: str, carrier: str, tracking_number: str
    ) -> ShipmentView | None:
        """The newest parcel with this number among the merchant's own orders."""
        key = key_of(carrier, tracking_number)
        async with self.pool.acquire() as conn:
            row = await conn.fetchrow(SHIPMENT_FOR_MERCHANT, merchant_id, *key)
            if row is None:
                return None
            events = await conn.fetch(SHIPMENT_TIMELINE, *key, row["generation"])
        titles = _titles(json.loads(row["line_items"]) if row["line_items"] else [])
        return _shipment(row, titles, [_entry(e) for e in events])

    async def _order(self, query: str, *args: str) -> OrderView | None:
        async with self.pool.acquire() as conn:
            order = await conn.fetchrow(query, *args)
            if order is None:
                return None
            links = await conn.fetch(ORDER_SHIPMENTS, order["order_id"])
            events = await conn.fetch(ORDER_TIMELINES, order["order_id"]) if links else []
        timelines: dict[Generation, list[TimelineEntry]] = {}
        for e in events:
            timelines.setdefault((e[0], e[1], e[2]), []).append(_entry(e))
        line_items = json.loads(order["line_items"])
        titles = _titles(line_items)
        shipments = tuple(
            _shipment(
                r, titles, timelines.get((r["carrier"], r["tracking_number"], r["generation"]), [])
            )
            for r in links
        )
        address = order["shipping_address"]
        return OrderView(
            merchant_id=order["merchant_id"],
            order_number=order["order_number"],
            placed_at=order["placed_at"],
            updated_at=order["updated_at"],
            status=with_watch(
                OrderStatus(order["status"]),
                watched=any(_watched(s) for s in shipments),
            ),
            cancelled=order["cancelled"],
            locale=order["locale"],
            timezone=order["timezone"],
            status_token=order["status_token"],
            share_token=order["share_token"],
            line_items=tuple(
                LineItemView(
                    i["line_item_id"], i["title"], i["quantity"], i.get("sku"), i.get("image_url")
                )
                for i in line_items
            ),
            shipments=shipments,
            customer_email=order["customer_email"],
            customer_phone=order["customer_phone"],
            customer_name=order["customer_name"],
            shipping_address=json.loads(address) if address else None,
            promised_delivery_date=order["promised_delivery_date"],
        )


def _titles(line_items: Sequence[dict[str, Any]]) -> dict[str, tuple[str, str | None]]:
    return {i["line_item_id"]: (i["title"], i.get("image_url")) for i in line_items}


def _entry(e: Any) -> TimelineEntry:
    return TimelineEntry(
        event_id=str(e["event_id"]),
        occurred_at=e["occurred_at"],
        status=ShipmentStatus(e["status"]),
        substatus=optional(Substatus, e["substatus"]),
        message=e["message"],
        location=Location.model_validate_json(e["location"]) if e["location"] else None,
        action_required=e["action_required"],
    )


def _shipment(
    r: Any, titles: dict[str, tuple[str, str | None]], timeline: Sequence[TimelineEntry]
) -> ShipmentView:
    items = []
    for item in json.loads(r["items"]):
        title, image = titles.get(item["line_item_id"], (item["line_item_id"], None))
        items.append(ShipmentItemView(item["line_item_id"], title, item["quantity"], image))
    eta, location = r["estimated_delivery"], r["last_location"]
    return ShipmentView(
        carrier=r["carrier"],
        tracking_number=r["tracking_number"],
        state=r["state"],
        status=optional(ShipmentStatus, r["status"]),
        substatus=optional(Substatus, r["substatus"]),
        action_required=bool(r["action_required"]),
        reason=optional(Reason, r["reason"]),
        last_event_at=r["last_event_at"],
        last_message=r["last_message"],
        last_location=Location.model_validate_json(location) if location else None,
        estimated_delivery=EstimatedDelivery.model_validate_json(eta) if eta else _predicted(r),
        delivered_at=r["delivered_at"],
        items=tuple(items),
        timeline=tuple(timeline),
        watch=_watch(r),
        estimate_story=estimates.story(r),
    )


def _predicted(r: Any) -> EstimatedDelivery | None:
    """Without the carrier's estimate: the window predicted at pickup, if there is one."""
    if r["predicted_earliest"] is None or r["status"] in _DONE:
        return None
    return EstimatedDelivery(
        earliest=r["predicted_earliest"],
        latest=r["predicted_latest"],
        source=EstimateSource.PREDICTED,
        detail=f"predicted from {r['predicted_samples']} similar shipments",
    )


def _watched(s: ShipmentView) -> bool:
    """Stalled, late, or trending late (issue 21): the order needs attention."""
    trending = s.estimate_story is not None and s.estimate_story.trending_late
    return s.state == "active" and (s.watch is not None or trending)


def _watch(r: Any) -> Watch | None:
    if r["late"]:
        return Watch.LATE
    return Watch.STALLED if r["stalled"] else None


_DONE = frozenset(s.value for s in TERMINAL_STATUSES)
