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
import json
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
    GENERATION_FIELDS,
    checkpoint_from_row,
    event_rows,
    generation_from_row,
)
from suivi_projections.domain.orders import Link
from suivi_projections.domain.shipments import (
    DEFAULT_REUSE_AFTER,
    Checkpoint,
    Generation,
    Key,
    chronological,
    extend,
    key_of,
    reduce_shipment,
)
from suivi_projections.monitor import schedule
from suivi_projections.write import sql
from suivi_projections.write.orders import OrderCandidates, refresh_orders, write_orders
from suivi_schemas import OrderEvent, ShipmentStatusEvent
from suivi_schemas.topics import ORDERS

# Generation's fields are the shipments columns ("number" is "generation"): see sql.
STAGED = ("generation", *GENERATION_FIELDS[1:])


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


def _columns(keys: Iterable[Key]) -> tuple[list[str], list[str]]:
    ordered = sorted(keys)
    return [k[0] for k in ordered], [k[1] for k in ordered]


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
    by_id_s = {e.event_id: e for e in reversed(statuses)}
    by_id_o = {e.event_id: e for e in reversed(orders)}
    # Sorted by id: concurrent inserts of the same ids then wait for each other, never deadlock.
    ordered = [by_id_s[i] for i in sorted(by_id_s)]
    fresh: set[UUID] = set()
    await conn.execute(sql.STAGING)
    if ordered:
        records = event_rows(ordered)
        await conn.copy_records_to_table(
            sql.STAGED_EVENTS, records=records, columns=sql.EVENT_COLUMNS
        )
        fresh.update(r[0] for r in await conn.fetch(sql.INSERT_EVENTS))
    if by_id_o:
        ids = sorted(by_id_o)
        fresh.update(r[0] for r in await conn.fetch(sql.GATE, ids, [ORDERS.name] * len(ids)))
    new_statuses = [e for e in ordered if e.event_id in fresh]
    result.status_duplicates = len(statuses) - len(new_statuses)
    result.order_duplicates = len(orders) - sum(1 for i in by_id_o if i in fresh)

    found = OrderCandidates.of(e for i, e in by_id_o.items() if i in fresh)
    fresh_checkpoints: dict[Key, list[Checkpoint]] = {}
    for event in new_statuses:
        key = key_of(event.carrier, event.tracking_number)
        fresh_checkpoints.setdefault(key, []).append(Checkpoint.of(event))
    keys = set(fresh_checkpoints)
    keys |= found.parcel_keys()
    if found.orders():
        merchants, numbers = _columns(found.orders())
        rows = await conn.fetch(sql.LINKED_KEYS, merchants, numbers)
        keys.update(key_of(carrier, number) for carrier, number in rows)
    await lock_keys(conn, keys)
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
        await lock_keys(conn, (unlinked | linking) - keys)
        keys |= unlinked | linking
    new_links = [(order_id, link) for order_id, links in writes.links.items() for link in links]
    relinked = {link.key for _, link in new_links} | unlinked
    changed = set(writes.links)
    if keys:
        changed |= await _recompute(conn, keys, fresh_checkpoints, new_links, relinked, reuse_after)
    if changed:
        result.notified = await refresh_orders(conn, changed, channel)
    return result


def _appends(
    old: dict[int, Generation], news: Sequence[Checkpoint], anchors: Sequence[datetime]
) -> bool:
    """True when the new events all come after the newest generation's last event and after
    every order's anchor: then they only extend that generation, and no link moves."""
    newest = old[max(old)]
    if not news:
        return True
    if newest.last_event_at is None or newest.last_event_id is None:
        return False
    first = min(map(chronological, news))
    return first > (newest.last_event_at, newest.last_event_id) and all(
        anchor < first[0] for anchor in anchors
    )


async def _recompute(
    conn: asyncpg.Connection,
    keys: set[Key],
    fresh: dict[Key, list[Checkpoint]],
    new_links: list[tuple[int, Link]],
    relinked: set[Key],
    reuse_after: timedelta,
) -> set[int]:
    """Re-derives the touched keys' generations and links; returns the orders that changed.

    In-order events only extend the newest generation; a late event, or a change of the
    orders linked to a key, reloads its whole history (same rules, same result).
    """
    carriers, numbers = _columns(keys)
    # Anchors: existing links (order id, their generation) then this batch's (order id, None).
    anchors: dict[Key, list[tuple[int, int | None, datetime, Link | None]]] = {}
    for r in await conn.fetch(sql.LOAD_LINKS, carriers, numbers):
        anchors.setdefault((r[1], r[2]), []).append((r[0], r[4], r[3], None))
    for order_id, link in new_links:
        anchors.setdefault(link.key, []).append((order_id, None, link.anchor, link))
    before: dict[Key, dict[int, Generation]] = {}
    for r in await conn.fetch(sql.LOAD_SHIPMENTS, carriers, numbers):
        before.setdefault((r[0], r[1]), {})[r[2]] = generation_from_row(r)
    moments = {k: [ref[2] for ref in refs] for k, refs in anchors.items()}
    reload = {
        k
        for k in keys
        if k in before
        and (k in relinked or not _appends(before[k], fresh.get(k, []), moments.get(k, [])))
    }
    history: dict[Key, list[Checkpoint]] = {}
    if reload:
        for r in await conn.fetch(sql.LOAD_CHECKPOINTS, *_columns(reload)):
            history.setdefault((r[0], r[1]), []).append(checkpoint_from_row(r))

    upserts: list[tuple[Key, Generation]] = []
    shrink: list[tuple[Key, int]] = []
    relink: list[tuple[int, Key, int]] = []
    inserts: list[tuple[int, Link, int]] = []
    changed: set[int] = set()
    for key in keys:
        old = before.get(key, {})
        refs = anchors.get(key, [])
        news = sorted(fresh.get(key, []), key=chronological)
        if old and key not in reload:
            if not news:
                continue
            newest = max(old)
            kept = [old[n] for n in sorted(old) if n < newest]
            generations = (*kept, *extend(old[newest], news, reuse_after))
            linked = tuple(ref[1] or 0 for ref in refs)  # no link moves: see _appends
        else:
            # A key without rows has no events but this batch's (rows follow every event).
            events = history.get(key, []) if old else news
            generations, linked = reduce_shipment(events, moments.get(key, []), reuse_after)
        dirty = {g.number for g in generations if old.get(g.number) != g}
        upserts.extend((key, g) for g in generations if g.number in dirty)
        if old and max(old) > len(generations):
            shrink.append((key, len(generations)))
            dirty.update(n for n in old if n > len(generations))
        for (order_id, was, _, new), number in zip(refs, linked, strict=True):
            if new is not None:
                inserts.append((order_id, new, number))
            elif was != number:
                relink.append((order_id, key, number))
                changed.add(order_id)
            elif number in dirty:
                changed.add(order_id)
    await _write_shipments(conn, upserts, shrink, relink, inserts)
    return changed


async def _write_shipments(
    conn: asyncpg.Connection,
    upserts: list[tuple[Key, Generation]],
    shrink: list[tuple[Key, int]],
    relink: list[tuple[int, Key, int]],
    inserts: list[tuple[int, Link, int]],
) -> None:
    if upserts:
        upserts.sort(key=lambda u: (u[0], u[1].number))
        records = [(*key, *(getattr(g, f) for f in GENERATION_FIELDS)) for key, g in upserts]
        await conn.copy_records_to_table(
            sql.STAGED_SHIPMENTS, records=records, columns=("carrier", "tracking_number", *STAGED)
        )
        await conn.execute(sql.UPSERT_SHIPMENTS)
    if shrink:
        carriers, numbers = [k[0] for k, _ in shrink], [k[1] for k, _ in shrink]
        await conn.execute(sql.SHRINK_SHIPMENTS, carriers, numbers, [n for _, n in shrink])
    if relink:
        await conn.execute(
            sql.RELINK,
            [r[0] for r in relink], [r[1][0] for r in relink], [r[1][1] for r in relink],
            [r[2] for r in relink],
        )  # fmt: skip
    if inserts:
        await _insert_links(conn, inserts)
    # The monitor judges every changed or relinked generation again (stalls, lateness, lane).
    due = sorted(
        {(*key, g.number) for key, g in upserts}
        | {(*key, number) for _, key, number in relink}
        | {(*link.key, number) for _, link, number in inserts}
    )
    await schedule.mark_due(conn, due)
    await schedule.forget(conn, shrink)


async def _insert_links(conn: asyncpg.Connection, inserts: list[tuple[int, Link, int]]) -> None:
    if inserts:
        await conn.execute(
            sql.INSERT_LINKS,
            [i[0] for i in inserts], [i[1].key[0] for i in inserts],
            [i[1].key[1] for i in inserts], [i[1].position for i in inserts],
            [i[1].state for i in inserts], [i[1].service for i in inserts],
            [i[1].shipped_at for i in inserts], [i[1].anchor for i in inserts],
            [json.dumps([{"line_item_id": li, "quantity": q} for li, q in i[1].items])
             for i in inserts],
            [i[2] for i in inserts],
        )  # fmt: skip
