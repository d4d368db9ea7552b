"""The order side of the write path: snapshots and fulfilment events → orders and their parcels.

An order's parcels are the reference merge (`suivi_schemas.order_state.OrderState`) of its
newest snapshot and the newest event of each of its fulfilments; an order with no snapshot yet
keeps its fulfilment events and shows nothing.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TypeVar
from uuid import UUID

import asyncpg
from pydantic import SecretStr

from suivi_infra.tokens import share_token, status_token
from suivi_projections.db.rows import order_columns
from suivi_projections.domain.orders import Link, LinkedShipment, links_of, order_status
from suivi_projections.domain.shipments import Key, OrderKey
from suivi_projections.write import sql
from suivi_schemas import OrderEvent, ShipmentStatus
from suivi_schemas.order_state import OrderState
from suivi_schemas.orders import OrderEventKind

FulfilmentKey = tuple[OrderKey, str]
K = TypeVar("K")


def _version(event: OrderEvent) -> tuple[datetime, UUID]:
    return (event.updated_at, event.event_id)


def _keep_newest(table: dict[K, OrderEvent], key: K, event: OrderEvent) -> None:
    seen = table.get(key)
    if seen is None or _version(event) > _version(seen):
        table[key] = event


@dataclass(slots=True)
class OrderCandidates:
    """The newest snapshot per order and the newest event per fulfilment of one batch."""

    snapshots: dict[OrderKey, OrderEvent] = field(default_factory=dict)
    fulfilments: dict[FulfilmentKey, OrderEvent] = field(default_factory=dict)

    @classmethod
    def of(cls, events: Iterable[OrderEvent]) -> OrderCandidates:
        found = cls()
        for event in events:
            order = (event.merchant_id, event.order_number)
            if event.kind is OrderEventKind.SNAPSHOT:
                _keep_newest(found.snapshots, order, event)
            else:
                _keep_newest(found.fulfilments, (order, event.fulfillment_id or ""), event)
        return found

    def orders(self) -> set[OrderKey]:
        return set(self.snapshots) | {order for order, _ in self.fulfilments}

    def parcel_keys(self) -> set[Key]:
        """Every shipment key these events mention (locked before they are applied)."""
        events = [*self.snapshots.values(), *self.fulfilments.values()]
        return {link.key for event in events for link in links_of(event)}


@dataclass(slots=True)
class OrderWrites:
    applied: int  # events that became the newest of their order or fulfilment
    links: dict[int, tuple[Link, ...]]  # order id → its parcels, for orders to relink


async def write_orders(
    conn: asyncpg.Connection, found: OrderCandidates, token_key: SecretStr
) -> OrderWrites:
    """Stores the newer events and gives the parcels of every order they changed."""
    snapshots = [found.snapshots[k] for k in sorted(found.snapshots)]
    order_ids: dict[OrderKey, int] = {}
    if snapshots:
        statuses = [status_token(token_key, e.merchant_id, e.order_number) for e in snapshots]
        shares = [share_token(token_key, e.merchant_id, e.order_number) for e in snapshots]
        rows = await conn.fetch(sql.UPSERT_ORDERS, *order_columns(snapshots), statuses, shares)
        order_ids = {(r["merchant_id"], r["order_number"]): r["order_id"] for r in rows}
    fulfilments = [found.fulfilments[k] for k in sorted(found.fulfilments)]
    refreshed: set[OrderKey] = set()
    if fulfilments:
        rows = await conn.fetch(
            sql.UPSERT_FULFILLMENTS,
            [e.merchant_id for e in fulfilments], [e.order_number for e in fulfilments],
            [e.fulfillment_id for e in fulfilments], [e.event_id for e in fulfilments],
            [e.updated_at for e in fulfilments], [e.model_dump_json() for e in fulfilments],
        )  # fmt: skip
        refreshed = {(r[0], r[1]) for r in rows}
    merged = await _merge(conn, order_ids, found.snapshots, refreshed)
    return OrderWrites(len(order_ids) + len(refreshed), merged)


async def _merge(
    conn: asyncpg.Connection,
    order_ids: dict[OrderKey, int],
    batch: dict[OrderKey, OrderEvent],
    refreshed: set[OrderKey],
) -> dict[int, tuple[Link, ...]]:
    keys = sorted(order_ids.keys() | refreshed)
    if not keys:
        return {}
    states: dict[OrderKey, OrderState] = {}
    ids: dict[OrderKey, int] = {}
    rows = await conn.fetch(sql.LOAD_ORDER_PARTS, [k[0] for k in keys], [k[1] for k in keys])
    for merchant_id, order_number, order_id, snapshot, fulfilment in rows:
        key = (merchant_id, order_number)
        state = states.get(key)
        if state is None:
            if order_id is None:
                continue  # fulfilments only: shown once the order's snapshot arrives
            ids[key] = order_id
            event = batch[key] if key in order_ids else OrderEvent.model_validate_json(snapshot)
            state = OrderState().apply(event)
        if fulfilment is not None:
            state = state.apply(OrderEvent.model_validate_json(fulfilment))
        states[key] = state
    merged: dict[int, tuple[Link, ...]] = {}
    for key, state in states.items():
        order = state.merge()
        assert order is not None  # every state here holds a snapshot
        merged[ids[key]] = links_of(order)
    return merged


async def refresh_orders(conn: asyncpg.Connection, order_ids: set[int], channel: str) -> list[str]:
    """Recomputes the orders' aggregate status and tells listeners (delivered on commit)."""
    ids = sorted(order_ids)
    orders = await conn.fetch(sql.LOCK_ORDERS, ids)
    shipments: dict[int, list[LinkedShipment]] = {}
    for r in await conn.fetch(sql.ORDER_SHIPMENTS, ids):
        items = tuple((i["line_item_id"], i["quantity"]) for i in json.loads(r[2]))
        status = None if r[3] is None else ShipmentStatus(r[3])
        shipments.setdefault(r[0], []).append(LinkedShipment(r[1], items, status, r[4]))
    updates = []
    for r in orders:
        line_items = tuple((i["line_item_id"], i["quantity"]) for i in json.loads(r[3]))
        aggregate = order_status(
            cancelled=r[1], line_items=line_items, shipments=shipments.get(r[0], ())
        )
        if aggregate.value != r[4]:
            updates.append((r[0], aggregate.value))
    tokens = [r[2] for r in orders]
    await conn.fetchval(
        sql.SET_STATUS_AND_NOTIFY, channel, [u[0] for u in updates], [u[1] for u in updates], tokens
    )
    return tokens
