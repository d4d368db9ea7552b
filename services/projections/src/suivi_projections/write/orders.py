"""The order side of the write path: snapshots and fulfilment events → orders and their parcels.

An order's parcels are the reference merge (`suivi_schemas.order_state.OrderState`) of its
newest snapshot and the newest event of each of its fulfilments; an order with no snapshot yet
keeps its fulfilment events and shows nothing.
"""

from __future__ import annotations

import functools
from collections.abc import Container, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypeVar
from uuid import UUID

import asyncpg
import orjson
from pydantic import SecretStr

from suivi_infra.tokens import share_token, status_token
from suivi_projections.db.rows import order_columns
from suivi_projections.domain.orders import Link, LinkedShipment, links_of, order_status
from suivi_projections.domain.shipments import Generation, Key, OrderKey
from suivi_projections.write import sql
from suivi_projections.write.decode import decode_order
from suivi_schemas import OrderEvent, ShipmentStatus
from suivi_schemas.order_state import OrderState
from suivi_schemas.orders import OrderEventKind

FulfilmentKey = tuple[OrderKey, str]
_STATUS = {s.value: s for s in ShipmentStatus}
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
    unlinked: set[Key] = field(default_factory=set)  # parcels of those orders before


async def write_orders(
    conn: asyncpg.Connection, found: OrderCandidates, token_key: SecretStr
) -> OrderWrites:
    """Stores the newer events, gives the parcels of every order they changed, and unlinks
    those orders' parcels (`links` are their new ones, linked with the shipments)."""
    snapshots = [found.snapshots[k] for k in sorted(found.snapshots)]
    if not found.fulfilments:
        return await _write_snapshots(conn, snapshots, token_key)
    order_ids: dict[OrderKey, int] = {}
    if snapshots:
        rows = await conn.fetch(sql.UPSERT_ORDERS, *_order_columns(snapshots, token_key))
        order_ids = {(r["merchant_id"], r["order_number"]): r["order_id"] for r in rows}
    fulfilments = [found.fulfilments[k] for k in sorted(found.fulfilments)]
    rows = await conn.fetch(
        sql.UPSERT_FULFILLMENTS,
        [e.merchant_id for e in fulfilments], [e.order_number for e in fulfilments],
        [e.fulfillment_id for e in fulfilments], [e.event_id for e in fulfilments],
        [e.updated_at for e in fulfilments], [e.model_dump_json() for e in fulfilments],
    )  # fmt: skip
    refreshed = {(r[0], r[1]) for r in rows}
    merged = await _merge(conn, order_ids, found.snapshots, refreshed)
    unlinked: set[Key] = set()
    if merged:
        unlinked = {(r[0], r[1]) for r in await conn.fetch(sql.UNLINK, list(merged))}
    return OrderWrites(len(order_ids) + len(refreshed), merged, unlinked)


def _order_columns(snapshots: list[OrderEvent], token_key: SecretStr) -> list[list[Any]]:
    statuses = [status_token(token_key, e.merchant_id, e.order_number) for e in snapshots]
    shares = [share_token(token_key, e.merchant_id, e.order_number) for e in snapshots]
    return [*order_columns(snapshots), statuses, shares]


async def _write_snapshots(
    conn: asyncpg.Connection, snapshots: list[OrderEvent], token_key: SecretStr
) -> OrderWrites:
    """`write_orders` of snapshots only, in one round trip: the upsert, the stored fulfilment
    events of the orders it changed, and their unlinked parcels."""
    if not snapshots:
        return OrderWrites(0, {})
    batch = {(e.merchant_id, e.order_number): e for e in snapshots}
    states: dict[int, OrderState] = {}
    unlinked: set[Key] = set()
    for order_id, merchant_id, order_number, fulfilment, carrier, number in await conn.fetch(
        sql.UPSERT_ORDERS_AND_UNLINK, *_order_columns(snapshots, token_key)
    ):
        if order_id is None:
            unlinked.add((carrier, number))
            continue
        state = states.get(order_id)
        if state is None:
            state = OrderState().apply(batch[(merchant_id, order_number)])
        if fulfilment is not None:
            state = state.apply(decode_order(fulfilment))
        states[order_id] = state
    return OrderWrites(len(states), _links(states), unlinked)


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
            event = batch[key] if key in order_ids else decode_order(snapshot)
            state = OrderState().apply(event)
        if fulfilment is not None:
            state = state.apply(decode_order(fulfilment))
        states[key] = state
    return _links({ids[key]: state for key, state in states.items()})


def _links(states: dict[int, OrderState]) -> dict[int, tuple[Link, ...]]:
    """Each order id → the parcels its merged snapshot and fulfilments name."""
    merged: dict[int, tuple[Link, ...]] = {}
    for order_id, state in states.items():
        order = state.merge()
        assert order is not None  # every state here holds a snapshot
        merged[order_id] = links_of(order)
    return merged


async def refresh_orders(conn: asyncpg.Connection, order_ids: set[int], channel: str) -> list[str]:
    """Recomputes the orders' aggregate status and tells listeners (delivered on commit)."""
    return await refresh_locked(conn, await conn.fetch(sql.LOCK_ORDERS, sorted(order_ids)), channel)


async def refresh_locked(
    conn: asyncpg.Connection, orders: Sequence[Sequence[Any]], channel: str
) -> list[str]:
    """`refresh_orders` of orders already locked: their `sql.LOCK_ORDERS` rows, read by an
    earlier statement of the transaction (this one's reads see what was committed before)."""
    if not orders:
        return []
    shipments = _parcels(await conn.fetch(sql.ORDER_SHIPMENTS, [r[0] for r in orders]))
    return await _set_statuses(conn, orders, shipments, channel)


async def refresh_written(
    conn: asyncpg.Connection,
    locked: dict[int, Sequence[Any]],
    parcels: Sequence[Sequence[Any]],
    changed: set[int],
    written: Written,
    channel: str,
) -> list[str]:
    """`refresh_orders` of the `changed` orders, `locked` by an earlier statement (their
    `sql.LOCK_ORDERS` rows by id), from their `parcels` (`sql.ORDER_SHIPMENTS` rows) read after
    the locks but before the batch `written` its shipments and links, and what it wrote."""
    missing = changed - locked.keys()  # none: all were locked with the keys (refresh_orders)
    if missing:
        return await refresh_orders(conn, changed, channel)
    shipments = _parcels(parcels, written)
    return await _set_statuses(conn, [locked[i] for i in sorted(changed)], shipments, channel)


def status_updates(
    orders: Iterable[Sequence[Any]], shipments: dict[int, list[LinkedShipment]]
) -> list[tuple[int, str]]:
    """(order id, new status) of the orders (`sql.LOCK_ORDERS` rows) whose aggregate status,
    from their `shipments`, differs from the stored one."""
    updates = []
    for r in orders:
        aggregate = order_status(
            cancelled=r[1], line_items=_quantities(r[3]), shipments=shipments.get(r[0], ())
        )
        if aggregate.value != r[4]:
            updates.append((r[0], aggregate.value))
    return updates


async def set_statuses(
    conn: asyncpg.Connection, updates: Sequence[tuple[int, str]], tokens: list[str], channel: str
) -> list[str]:
    """Stores the `updates` (`status_updates`) and notifies each order's status token."""
    await conn.fetchval(
        sql.SET_STATUS_AND_NOTIFY, channel, [u[0] for u in updates], [u[1] for u in updates], tokens
    )
    return tokens


@dataclass(slots=True)
class Written:
    """What a batch wrote of the parcels of orders: every generation of the keys it recomputed
    (1..n), links moved to another generation (order id, key → generation), new links."""

    final: dict[Key, tuple[Generation, ...]]
    moved: dict[tuple[int, Key], int]
    inserted: Sequence[tuple[int, Link, int]]

    def status(self, key: Key, number: int) -> tuple[ShipmentStatus | None, bool]:
        for g in self.final[key]:
            if g.number == number:
                return g.status, g.action_required
        return None, False  # no such generation: as the LEFT JOIN finds no row


@functools.lru_cache(maxsize=4096)
def _quantities(items_json: str) -> tuple[tuple[str, int], ...]:
    """(line item id, quantity) of a `[{line_item_id, quantity, …}]` text; the same few texts
    come back for most parcels and orders, so each is read once."""
    return tuple((i["line_item_id"], i["quantity"]) for i in orjson.loads(items_json))


def _parcels(
    rows: Sequence[Sequence[Any]], written: Written | None = None
) -> dict[int, list[LinkedShipment]]:
    """`sql.ORDER_SHIPMENTS` rows by order, as `written` leaves them if given."""
    return parcels_of(rows, written)


def parcels_of(
    rows: Sequence[Sequence[Any]],
    written: Written | None = None,
    only: Container[int] | None = None,
) -> dict[int, list[LinkedShipment]]:
    """`sql.ORDER_SHIPMENTS` rows by order, as `written` leaves them if given; only the orders
    in `only` if given."""
    shipments: dict[int, list[LinkedShipment]] = {}
    final = written.final if written is not None else {}
    for order_id, state, items_json, status, action_required, carrier, number, generation in rows:
        if only is not None and order_id not in only:
            continue
        items = _quantities(items_json)
        key = (carrier, number)
        if written is not None and key in final:
            generation = written.moved.get((order_id, key), generation)
            shipment = LinkedShipment(state, items, *written.status(key, generation))
        else:
            shipment = LinkedShipment(
                state, items, None if status is None else _STATUS[status], action_required
            )
        shipments.setdefault(order_id, []).append(shipment)
    if written is not None:
        for order_id, link, generation in written.inserted:
            if only is not None and order_id not in only:
                continue
            shipment = LinkedShipment(link.state, link.items, *written.status(link.key, generation))
            shipments.setdefault(order_id, []).append(shipment)
    return shipments


async def _set_statuses(
    conn: asyncpg.Connection,
    orders: Sequence[Sequence[Any]],
    shipments: dict[int, list[LinkedShipment]],
    channel: str,
) -> list[str]:
    """Stores the orders' (`sql.LOCK_ORDERS` rows) new aggregate statuses and notifies each."""
    updates = status_updates(orders, shipments)
    return await set_statuses(conn, updates, [r[2] for r in orders], channel)
