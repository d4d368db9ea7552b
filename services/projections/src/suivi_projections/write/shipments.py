"""The shipments of a batch: recompute the touched keys' generations from their stored events
(or extend the newest one), write them and the order links, and mark them due for the monitor.

Runs inside `apply_batch`'s transaction, with the keys already locked.
"""

from __future__ import annotations

import json
import operator
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta

import asyncpg

from suivi_projections.db.rows import (
    GENERATION_FIELDS,
    checkpoint_from_row,
    generation_from_row,
)
from suivi_projections.domain.orders import Link
from suivi_projections.domain.shipments import (
    Checkpoint,
    Generation,
    Key,
    chronological,
    extend,
    reduce_shipment,
)
from suivi_projections.monitor import schedule
from suivi_projections.write import sql

# Generation's fields are the shipments columns ("number" is "generation"): see sql.
_UPSERT_AND_MARK_DUE = schedule.marking_due(
    sql.UPSERT_SHIPMENTS, 0, ctes=sql.CONSUME_STAGED_SHIPMENTS
)
STAGED = ("generation", *GENERATION_FIELDS[1:])
_generation_values = operator.attrgetter(*GENERATION_FIELDS)


def key_columns(keys: Iterable[Key]) -> tuple[list[str], list[str]]:
    """Carriers and tracking numbers, sorted by key: the unnest() columns of the key queries."""
    ordered = sorted(keys)
    return [k[0] for k in ordered], [k[1] for k in ordered]


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


async def recompute(
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
    carriers, numbers = key_columns(keys)
    # Anchors: existing links (order id, their generation) then this batch's (order id, None).
    anchors: dict[Key, list[tuple[int, int | None, datetime, Link | None]]] = {}
    before: dict[Key, dict[int, Generation]] = {}
    for r in await conn.fetch(sql.LOAD_STATE, carriers, numbers):
        key = (r[0], r[1])
        if key not in anchors and r[2]:
            anchors[key] = [(*ref, None) for ref in zip(r[2], r[4], r[3], strict=True)]
        if r[5] is not None:
            before.setdefault(key, {})[r[5]] = generation_from_row((r[0], r[1], *r[5:]))
    for order_id, link in new_links:
        anchors.setdefault(link.key, []).append((order_id, None, link.anchor, link))
    moments = {k: [ref[2] for ref in refs] for k, refs in anchors.items()}
    reload = {
        k
        for k in keys
        if k in before
        and (k in relinked or not _appends(before[k], fresh.get(k, []), moments.get(k, [])))
    }
    history: dict[Key, list[Checkpoint]] = {}
    if reload:
        for r in await conn.fetch(sql.LOAD_CHECKPOINTS, *key_columns(reload)):
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
    upserts.sort(key=lambda u: (u[0], u[1].number))
    # The monitor judges every changed or relinked generation again (stalls, lateness, lane).
    due = sorted(
        {(*key, g.number) for key, g in upserts}
        | {(*key, number) for _, key, number in relink}
        | {(*link.key, number) for _, link, number in inserts}
    )
    if upserts:
        records = [(*key, *_generation_values(g)) for key, g in upserts]
        await conn.copy_records_to_table(
            sql.STAGED_SHIPMENTS, records=records, columns=("carrier", "tracking_number", *STAGED)
        )
        await conn.execute(_UPSERT_AND_MARK_DUE, *schedule.due_columns(due))
    else:
        await schedule.mark_due(conn, due)
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
