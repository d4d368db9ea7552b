"""The shipments of a batch: recompute the touched keys' generations from their stored events
(or extend the newest one), write them and the order links, and mark them due for the monitor.

Runs inside `apply_batch`'s transaction, with the keys already locked: `load_state` reads the
keys' generations and links (observing the batch's estimates and locking the orders it may
change in the same round trip), `plan` applies the pure rules, `write_shipments` writes what
changed in one round trip.
"""

from __future__ import annotations

import operator
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Protocol

import asyncpg
import orjson

from suivi_projections.db.rows import checkpoint_from_row, generation_of
from suivi_projections.domain.orders import Link
from suivi_projections.domain.shipments import (
    Checkpoint,
    Generation,
    Key,
    extend,
    reduce_shipment,
)
from suivi_projections.monitor import schedule
from suivi_projections.write import sql

# An order's link: (order id, its generation, or None for this batch's, anchor, new link).
Ref = tuple[int, int | None, datetime, Link | None]


def key_columns(keys: Iterable[Key]) -> tuple[list[str], list[str]]:
    """Carriers and tracking numbers, sorted by key: the unnest() columns of the key queries."""
    ordered = sorted(keys)
    return [k[0] for k in ordered], [k[1] for k in ordered]


def _dumps(rows: object) -> str:
    return orjson.dumps(rows, default=str).decode()


@dataclass(slots=True)
class State:
    """The touched keys' stored generations and their orders' links, as the locks left them;
    the orders the batch may change, locked (`sql.ORDER_COLUMNS` rows by id); the generations
    to judge again because of a new estimate window."""

    keys: set[Key]
    anchors: dict[Key, list[Ref]] = field(default_factory=dict)
    before: dict[Key, dict[int, Generation]] = field(default_factory=dict)
    orders: dict[int, Sequence[Any]] = field(default_factory=dict)
    estimated: list[tuple[str, str, int]] = field(default_factory=list)


@dataclass(slots=True)
class Work:
    """What a batch writes of shipments and links, and the orders whose parcels changed."""

    upserts: list[tuple[Key, Generation]] = field(default_factory=list)
    shrink: list[tuple[Key, int]] = field(default_factory=list)
    relink: list[tuple[int, Key, int]] = field(default_factory=list)
    inserts: list[tuple[int, Link, int]] = field(default_factory=list)
    changed: set[int] = field(default_factory=set)
    # Every generation (1..n) of each key recomputed, as written.
    final: dict[Key, tuple[Generation, ...]] = field(default_factory=dict)


class Fetches(Protocol):
    """What the write path reads with: a connection, or a `write.wire.Wire` over one."""

    async def fetch(self, query: str, *args: Any) -> list[asyncpg.Record]: ...


def state_args(
    keys: set[Key],
    observations: Sequence[Sequence[Any]] = (),
    relinking: Iterable[int] = (),
    also_locking: Iterable[Key] = (),
) -> tuple[Any, ...] | None:
    """The parameters of `sql.LOAD_AND_LOCK` (`sql.LOAD_AND_OBSERVE` without the last three),
    None when there is nothing to load, observe or lock."""
    relinking = sorted(relinking)
    others = key_columns(also_locking)
    if not keys and not observations and not relinking and not others[0]:
        return None
    return (*key_columns(keys), _dumps(observations), relinking, *others)


def state_of(keys: set[Key], rows: Iterable[Sequence[Any]]) -> State:
    """The State of `keys` from the rows of `sql.LOAD_AND_LOCK` (or `sql.LOAD_AND_OBSERVE`)."""
    state = State(keys)
    anchors, before, orders = state.anchors, state.before, state.orders
    for r in rows:
        kind = r[0]
        if kind == "k":
            key = (r[1], r[2])
            if key not in anchors and r[3]:
                anchors[key] = [(*ref, None) for ref in zip(r[3], r[5], r[4], strict=True)]
            if r[6] is not None:
                before.setdefault(key, {})[r[6]] = generation_of(r[6:22])
        elif kind == "o":
            orders[r[22]] = r[22:]
        elif r[6] is not None:  # "e": a shipment with a new estimate window, if it has rows
            state.estimated.append((r[1], r[2], r[6]))
    return state


async def load_state(
    conn: asyncpg.Connection,
    keys: set[Key],
    observations: Sequence[Sequence[Any]] = (),
    relinking: Iterable[int] = (),
) -> State:
    """The keys' generations and links, and the orders to refresh locked (those linked to the
    keys, and `relinking`); the batch's estimate windows (`estimates`) are observed in the same
    round trip."""
    args = state_args(keys, observations, relinking)
    if args is None:
        return State(keys)
    return state_of(keys, await conn.fetch(sql.LOAD_AND_LOCK, *args))


# Sort key of a key's checkpoints, as domain.shipments.chronological: (occurred_at, event_id).
_chronological = operator.itemgetter(1, 0)


def _appends(
    old: dict[int, Generation], news: list[Checkpoint], anchors: Sequence[datetime]
) -> bool:
    """True when the new events (sorted) all come after the newest generation's last event and
    after every order's anchor: then they only extend that generation, and no link moves."""
    if not news:
        return True
    newest = old[max(old)]
    if newest.last_event_at is None or newest.last_event_id is None:
        return False
    first = news[0]
    return (first.occurred_at, first.event_id) > (
        newest.last_event_at,
        newest.last_event_id,
    ) and all(anchor < first.occurred_at for anchor in anchors)


async def plan(
    conn: Fetches,
    state: State,
    fresh: dict[Key, list[Checkpoint]],
    new_links: list[tuple[int, Link]],
    relinked: set[Key],
    reuse_after: timedelta,
) -> Work:
    """Re-derives the touched keys' generations and links: what to write, and the orders that
    changed.

    In-order events only extend the newest generation; a late event, or a change of the
    orders linked to a key, reloads its whole history (same rules, same result). A key none of
    whose generations has an event has no history but this batch's: nothing to reload.
    """
    keys, anchors, before = state.keys, state.anchors, state.before
    for order_id, link in new_links:
        anchors.setdefault(link.key, []).append((order_id, None, link.anchor, link))
    for news in fresh.values():
        news.sort(key=_chronological)
    no_news: list[Checkpoint] = []
    work = Work()
    upserts, changed = work.upserts, work.changed
    # Keys whose new events only extend their newest generation are done in this pass; the
    # others (no stored row, a late event, a relinked parcel) after their history is read.
    rebuild: list[Key] = []
    reload = set()
    for key in keys:
        old = before.get(key)
        if old is None:
            rebuild.append(key)
            continue
        refs = anchors.get(key, ())
        news = fresh.get(key, no_news)
        if key in relinked or not _appends(old, news, [ref[2] for ref in refs]):
            reload.add(key)
            rebuild.append(key)
            continue
        if not news:
            continue
        newest = max(old)
        extended = extend(old[newest], news, reuse_after)
        if len(old) == 1:  # most keys: one generation, no sort
            generations = tuple(extended)
        else:
            generations = (*(old[n] for n in sorted(old) if n < newest), *extended)
        # The generations before the newest are the same objects: only these may differ.
        dirty = {g.number for g in extended if old.get(g.number) != g}
        upserts.extend((key, g) for g in extended if g.number in dirty)
        for order_id, was, _, _ in refs:  # no link moves: see _appends
            if (was or 0) in dirty:
                changed.add(order_id)
        work.final[key] = generations
    history: dict[Key, list[Checkpoint]] = {}
    stored = {k for k in reload if any(g.event_count for g in before[k].values())}
    if stored:
        for r in await conn.fetch(sql.LOAD_CHECKPOINTS, *key_columns(stored)):
            history.setdefault((r[0], r[1]), []).append(checkpoint_from_row(r))

    for key in rebuild:
        old = before.get(key)
        refs = anchors.get(key, ())
        news = fresh.get(key, no_news)
        # A key without stored events has no events but this batch's (rows follow every event,
        # in the transaction that stores it).
        events = history.get(key, []) if key in stored else news
        moments = [ref[2] for ref in refs]
        generations, linked = reduce_shipment(events, moments, reuse_after)
        old = old or {}
        dirty = {g.number for g in generations if old.get(g.number) != g}
        upserts.extend((key, g) for g in generations if g.number in dirty)
        if old and max(old) > len(generations):
            work.shrink.append((key, len(generations)))
            dirty.update(n for n in old if n > len(generations))
        for (order_id, was, _, new), number in zip(refs, linked, strict=True):
            if new is not None:
                work.inserts.append((order_id, new, number))
            elif was != number:
                work.relink.append((order_id, key, number))
                changed.add(order_id)
            elif number in dirty:
                changed.add(order_id)
        work.final[key] = generations
    return work


def shipments_args(
    work: Work, due: Iterable[tuple[str, str, int]], refresh: Iterable[int]
) -> tuple[str, str, str, list[int]] | None:
    """The parameters of `sql.WRITE_SHIPMENTS` for the work (see write_shipments), None when
    it has nothing to write, mark or read."""
    upserts = sorted(work.upserts, key=lambda u: (u[0], u[1].number))
    due = sorted({*due, *((*key, number) for _, key, number in work.relink)})
    refresh = sorted(refresh)
    if not (upserts or work.inserts or due or refresh):
        return None
    return (
        _dumps([(*key, *g) for key, g in upserts]),
        _dumps([
            (order_id, *link.key, link.position, link.state, link.service, link.shipped_at,
             link.anchor, [{"line_item_id": li, "quantity": q} for li, q in link.items],
             number)
            for order_id, link, number in work.inserts
        ]),
        _dumps(due),
        refresh,
    )  # fmt: skip


async def write_shipments(
    conn: asyncpg.Connection,
    work: Work,
    due: Iterable[tuple[str, str, int]],
    refresh: Sequence[int],
) -> list[asyncpg.Record]:
    """Writes the work, marks its generations due for the monitor (it judges every changed or
    relinked generation again: stalls, lateness, lane) and `due` too; returns the parcels of the
    orders to `refresh` (`sql.ORDER_SHIPMENTS`) as they were before these writes."""
    return await write_built(conn, work, shipments_args(work, due, refresh))


async def write_built(
    conn: asyncpg.Connection, work: Work, args: tuple[str, str, str, list[int]] | None
) -> list[asyncpg.Record]:
    """`write_shipments` with its parameters made beforehand (`shipments_args`)."""
    parcels: list[asyncpg.Record] = []
    if args is not None:
        parcels = await conn.fetch(sql.WRITE_SHIPMENTS, *args)
    if work.shrink:
        shrink = work.shrink
        carriers, numbers = [k[0] for k, _ in shrink], [k[1] for k, _ in shrink]
        await conn.execute(sql.SHRINK_SHIPMENTS, carriers, numbers, [n for _, n in shrink])
    if work.relink:
        relink = work.relink
        await conn.execute(
            sql.RELINK,
            [r[0] for r in relink], [r[1][0] for r in relink], [r[1][1] for r in relink],
            [r[2] for r in relink],
        )  # fmt: skip
    await schedule.forget(conn, work.shrink)
    return parcels
