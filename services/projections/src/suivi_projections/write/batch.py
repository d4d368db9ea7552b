"""The write path: one consumed batch → the read-model tables, inside the caller's transaction.

Idempotent: status events already in the timeline (keyed by event id) and order events already
in `processed_events` are skipped, and the state is derived from the stored events with the
pure rules of `domain/`, so a redelivered batch, or any order of arrival, ends in the same rows.
Touched shipment keys are locked (advisory, sorted) and affected orders row-locked, so
concurrent projector instances (orders and status partitions owned by different consumers)
never interleave on the same rows.

Set-based, a few statements per batch whatever its size, each one round trip: a batch of status
events is four between BEGIN and COMMIT: the timeline, with the key locks (sql.INSERT_EVENTS);
the estimates observed, with the touched keys' state and their orders locked
(sql.LOAD_AND_LOCK); the changed generations, new links and due marks, with the orders' parcels
(sql.WRITE_SHIPMENTS); the orders' statuses, with the notifications (sql.SET_STATUS_AND_NOTIFY).
Order events add two (the gate, with their parcels' keys; the orders, with their parcels
unlinked); a late event or a relinked parcel one (the keys' history); a shrunk or relinked
parcel its own (rare). Rows travel as one jsonb parameter per statement (sql.from_json).
"""

from __future__ import annotations

import functools
import hashlib
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from uuid import UUID

import asyncpg
import orjson
from pydantic import SecretStr

from suivi_infra.tokens import TokenSettings
from suivi_projections.db.notify import ORDER_CHANGED_CHANNEL
from suivi_projections.db.rows import StatusRow, status_row
from suivi_projections.domain.shipments import (
    DEFAULT_REUSE_AFTER,
    Checkpoint,
    Key,
    key_of,
)
from suivi_projections.write import sql
from suivi_projections.write.estimates import observation_rows
from suivi_projections.write.orders import (
    OrderCandidates,
    Written,
    refresh_written,
    write_orders,
)
from suivi_projections.write.shipments import load_state, plan, write_shipments
from suivi_schemas import OrderEvent, ShipmentStatusEvent
from suivi_schemas.topics import ORDERS


@dataclass(slots=True)
class ApplyResult:
    applied: Counter[str] = field(default_factory=Counter)  # status events, by status
    orders_applied: int = 0
    orders_stale: int = 0  # an as-new or newer snapshot of the order was already applied
    status_duplicates: int = 0
    order_duplicates: int = 0
    notified: list[str] = field(default_factory=list)  # status tokens of the changed orders
    newest_occurred_at: datetime | None = None


@functools.lru_cache(maxsize=65536)
def lock_id(key: Key) -> int:
    digest = hashlib.blake2b(f"{key[0]}:{key[1]}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


async def lock_keys(conn: asyncpg.Connection, keys: Iterable[Key]) -> None:
    ids = sorted({lock_id(k) for k in keys})
    if ids:
        await conn.fetchval(sql.LOCK_KEYS, ids)


def dumps(rows: object) -> str:
    """A jsonb parameter of `sql.from_json` rows (the driver's UUIDs as their text)."""
    return orjson.dumps(rows, default=str).decode()


async def apply_batch(
    conn: asyncpg.Connection,
    statuses: Sequence[StatusRow | ShipmentStatusEvent],
    orders: Sequence[OrderEvent],
    *,
    reuse_after: timedelta = DEFAULT_REUSE_AFTER,
    channel: str = ORDER_CHANGED_CHANNEL,
    token_key: SecretStr | None = None,
) -> ApplyResult:
    """Applies the batch; the caller holds the transaction (and commits offsets after it).
    Status events come as rows (`db.rows.decode_status`, the projector's) or as models."""
    result = ApplyResult()
    # A row is a tuple: no ABC check per event (the models' metaclass is an ABCMeta).
    rows = [e if isinstance(e, tuple) else status_row(e) for e in statuses]
    # Estimate revisions (issue 21) are no checkpoints: observed below, never in the timeline.
    revisions = [e for e in rows if e.revision_of is not None]
    if revisions:
        rows = [e for e in rows if e.revision_of is None]
    by_id_s = {e.event_id: e for e in reversed(rows)}
    by_id_o = {e.event_id: e for e in reversed(orders)}
    # Sorted by id: concurrent inserts of the same ids then wait for each other, never deadlock.
    ordered = [by_id_s[i] for i in sorted(by_id_s)]
    fresh: set[UUID] = set()
    order_keys: set[Key] = set()
    if by_id_o:
        ids = sorted(by_id_o)
        events = [by_id_o[i] for i in ids]
        for event_id, carrier, number in await conn.fetch(
            sql.GATE_AND_LINKED_KEYS, ids, [ORDERS.name] * len(ids),
            [e.merchant_id for e in events], [e.order_number for e in events],
        ):  # fmt: skip
            if event_id is not None:
                fresh.add(event_id)
            else:
                order_keys.add(key_of(carrier, number))
    found = OrderCandidates.of(e for i, e in by_id_o.items() if i in fresh)
    # Every key the batch may touch is locked at once, in one sorted call (no deadlock between
    # instances): all its status events' keys (duplicates included) and its orders' parcels.
    order_keys |= found.parcel_keys()
    locking = {(e.carrier, e.tracking_number) for e in (*ordered, *revisions)} | order_keys
    lock_ids = sorted({lock_id(k) for k in locking})
    if ordered:
        row = await conn.fetchrow(sql.INSERT_EVENTS, lock_ids, dumps([e[:18] for e in ordered]))
        fresh.update(row["fresh"])
    elif lock_ids:
        await conn.fetchval(sql.LOCK_KEYS, lock_ids)
    new_statuses = [e for e in ordered if e.event_id in fresh]
    result.status_duplicates = len(rows) - len(new_statuses)
    result.order_duplicates = len(orders) - sum(1 for i in by_id_o if i in fresh)

    fresh_checkpoints: dict[Key, list[Checkpoint]] = {}
    for event in new_statuses:
        key = (event.carrier, event.tracking_number)
        fresh_checkpoints.setdefault(key, []).append(event.checkpoint())
        result.applied[event.status.value] += 1
    keys = set(fresh_checkpoints) | order_keys
    if new_statuses:
        result.newest_occurred_at = max(e.occurred_at for e in new_statuses)

    writes = await write_orders(conn, found, token_key or TokenSettings().token_key)
    result.orders_applied = writes.applied
    result.orders_stale = len(orders) - result.order_duplicates - writes.applied
    unlinked = writes.unlinked
    if writes.links:
        linking = {link.key for links in writes.links.values() for link in links}
        # Only if a rebalance let another instance change the order meanwhile; rare, and a
        # deadlock it might cause aborts the batch, which is then retried.
        await lock_keys(conn, (unlinked | linking) - locking)
        keys |= unlinked | linking
    new_links = [(order_id, link) for order_id, links in writes.links.items() for link in links]
    relinked = {link.key for _, link in new_links} | unlinked
    # Every status event carrying an estimate is observed, duplicates and revisions included.
    observed = observation_rows([*ordered, *revisions])
    state = await load_state(conn, keys, observed, writes.links)
    work = await plan(conn, state, fresh_checkpoints, new_links, relinked, reuse_after)
    changed = set(writes.links) | work.changed
    parcels = await write_shipments(conn, work, state.estimated, sorted(changed))
    if changed:
        written = Written(work.final, {(o, key): n for o, key, n in work.relink}, work.inserts)
        result.notified = await refresh_written(
            conn, state.orders, parcels, changed, written, channel
        )
    return result
