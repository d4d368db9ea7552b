"""The write path: one consumed batch → the read-model tables, inside the caller's transaction.

Idempotent: status events already in the timeline (keyed by event id) and order events already
in `processed_events` are skipped, and the state is derived from the stored events with the
pure rules of `domain/`, so a redelivered batch, or any order of arrival, ends in the same rows.
Touched shipment keys are locked (advisory, sorted) and affected orders row-locked, so
concurrent projector instances (orders and status partitions owned by different consumers)
never interleave on the same rows.
"""

from __future__ import annotations

import hashlib
import weakref
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from uuid import UUID

import asyncpg
from pydantic import SecretStr

from suivi_infra.tokens import TokenSettings
from suivi_projections.db.notify import ORDER_CHANGED_CHANNEL
from suivi_projections.db.rows import (
    event_rows,
)
from suivi_projections.domain.shipments import (
    DEFAULT_REUSE_AFTER,
    Checkpoint,
    Key,
    key_of,
)
from suivi_projections.write import sql
from suivi_projections.write.estimates import observe
from suivi_projections.write.orders import OrderCandidates, refresh_orders, write_orders
from suivi_projections.write.shipments import key_columns, recompute
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


def lock_id(key: Key) -> int:
    digest = hashlib.blake2b(f"{key[0]}:{key[1]}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


async def lock_keys(conn: asyncpg.Connection, keys: Iterable[Key]) -> None:
    ids = sorted({lock_id(k) for k in keys})
    if ids:
        await conn.fetchval(sql.LOCK_KEYS, ids)


# Connections whose session has the staging tables: created outside a transaction, so that
# no rollback can drop them after they were counted here.
_staged: weakref.WeakSet[asyncpg.Connection] = weakref.WeakSet()


async def staging(conn: asyncpg.Connection) -> None:
    """The session's staging tables (sql.STAGING): once per connection when called outside a
    transaction (the projector does, before its own), else at every call (cheap, idempotent)."""
    raw = getattr(conn, "_con", conn)  # a pool's proxy: the connection (and session) behind it
    if raw in _staged:
        return
    await conn.execute(sql.STAGING)
    if not conn.is_in_transaction():
        _staged.add(raw)


async def apply_batch(
    conn: asyncpg.Connection,
    statuses: Sequence[ShipmentStatusEvent],
    orders: Sequence[OrderEvent],
    *,
    reuse_after: timedelta = DEFAULT_REUSE_AFTER,
    channel: str = ORDER_CHANGED_CHANNEL,
    token_key: SecretStr | None = None,
) -> ApplyResult:
    """Applies the batch; the caller holds the transaction (and commits offsets after it)."""
    result = ApplyResult()
    # Estimate revisions (issue 21) are no checkpoints: observed below, never in the timeline.
    revisions = [e for e in statuses if e.revision_of is not None]
    if revisions:
        statuses = [e for e in statuses if e.revision_of is None]
    by_id_s = {e.event_id: e for e in reversed(statuses)}
    by_id_o = {e.event_id: e for e in reversed(orders)}
    # Sorted by id: concurrent inserts of the same ids then wait for each other, never deadlock.
    ordered = [by_id_s[i] for i in sorted(by_id_s)]
    fresh: set[UUID] = set()
    if by_id_o:
        ids = sorted(by_id_o)
        fresh.update(r[0] for r in await conn.fetch(sql.GATE, ids, [ORDERS.name] * len(ids)))
    found = OrderCandidates.of(e for i, e in by_id_o.items() if i in fresh)
    # Every key the batch may touch is locked at once, in one sorted call (no deadlock between
    # instances): all its status events' keys (duplicates included) and its orders' parcels.
    order_keys = found.parcel_keys()
    if found.orders():
        merchants, numbers = key_columns(found.orders())
        rows = await conn.fetch(sql.LINKED_KEYS, merchants, numbers)
        order_keys.update(key_of(carrier, number) for carrier, number in rows)
    locking = {key_of(e.carrier, e.tracking_number) for e in (*ordered, *revisions)} | order_keys
    lock_ids = sorted({lock_id(k) for k in locking})
    await staging(conn)
    if ordered:
        await conn.copy_records_to_table(
            sql.STAGED_EVENTS, records=event_rows(ordered), columns=sql.EVENT_COLUMNS
        )
        row = await conn.fetchrow(sql.INSERT_EVENTS, lock_ids)
        fresh.update(row["fresh"])
    elif lock_ids:
        await conn.fetchval(sql.LOCK_KEYS, lock_ids)
    await observe(conn, [*ordered, *revisions])
    new_statuses = [e for e in ordered if e.event_id in fresh]
    result.status_duplicates = len(statuses) - len(new_statuses)
    result.order_duplicates = len(orders) - sum(1 for i in by_id_o if i in fresh)

    fresh_checkpoints: dict[Key, list[Checkpoint]] = {}
    for event in new_statuses:
        key = key_of(event.carrier, event.tracking_number)
        fresh_checkpoints.setdefault(key, []).append(Checkpoint.of(event))
    keys = set(fresh_checkpoints) | order_keys
    for event in new_statuses:
        result.applied[event.status.value] += 1
    if new_statuses:
        result.newest_occurred_at = max(e.occurred_at for e in new_statuses)

    writes = await write_orders(conn, found, token_key or TokenSettings().token_key)
    result.orders_applied = writes.applied
    result.orders_stale = len(orders) - result.order_duplicates - writes.applied
    unlinked: set[Key] = set()
    if writes.links:
        unlinked = {(r[0], r[1]) for r in await conn.fetch(sql.UNLINK, list(writes.links))}
        linking = {link.key for links in writes.links.values() for link in links}
        # Only if a rebalance let another instance change the order meanwhile; rare, and a
        # deadlock it might cause aborts the batch, which is then retried.
        await lock_keys(conn, (unlinked | linking) - locking)
        keys |= unlinked | linking
    new_links = [(order_id, link) for order_id, links in writes.links.items() for link in links]
    relinked = {link.key for _, link in new_links} | unlinked
    changed = set(writes.links)
    if keys:
        changed |= await recompute(conn, keys, fresh_checkpoints, new_links, relinked, reuse_after)
    if changed:
        result.notified = await refresh_orders(conn, changed, channel)
    return result
