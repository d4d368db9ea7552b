"""The write path: one consumed batch → the read-model tables, inside the caller's transaction.

Idempotent: status events already in the timeline (keyed by event id) and order events already
in `processed_events` are skipped, and the state is derived from the stored events with the
pure rules of `domain/`, so a redelivered batch, or any order of arrival, ends in the same rows.
Touched shipment keys are locked (advisory, in ascending order) and affected orders row-locked
(in one sorted statement), so concurrent projector instances (orders and status partitions
owned by different consumers) never interleave on the same rows.

Set-based, a few statements per batch whatever its size, each one round trip: a batch of status
events is four between BEGIN and COMMIT: the timeline, with the key locks (sql.INSERT_EVENTS);
the estimates observed, with the touched keys' state and their orders locked
(sql.LOAD_AND_LOCK); the changed generations, new links and due marks, with the orders' parcels
(sql.WRITE_SHIPMENTS); the orders' statuses, with the notifications (sql.SET_STATUS_AND_NOTIFY).
Order events add two (the gate, with their parcels' keys; the orders, with their parcels
unlinked); a late event or a relinked parcel one (the keys' history); a shrunk or relinked
parcel its own (rare). Rows travel as one jsonb parameter per statement (sql.from_json).

In parts (`parts` > 1, the projector's large batches): PostgreSQL works on one statement while
Python works, so the status events are cut by key into parts (ranges of lock ids:
`write.locks.part_of`; each `write.part.Part`) that go through the same stages one after the
other, each part's statement sent before the CPU work of another part: its timeline insert while
the next part's records are decoded, its state load while the previous part is planned, its
shipments written while the next part is planned or the previous part's orders' statuses are
derived. The statements keep one order: every part's insert (so the key locks are taken in
ascending order), the orders, every part's state (the first locks all the batch's orders,
sorted, in one statement), every part's writes, the statuses. A key is one part's only, so the
parts' shipments are what one pass would write; an order whose parcels are in several parts gets
its status from the last of them, whose read of its parcels comes after the others' writes. A
status record whose Kafka key is not its shipment's, found in a part already under way, is
applied in a pass of its own after the parts (the same transaction).
"""

from __future__ import annotations

import functools
from collections import Counter
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

import asyncpg
from pydantic import SecretStr

from suivi_infra.tokens import TokenSettings
from suivi_projections.db.notify import ORDER_CHANGED_CHANNEL
from suivi_projections.db.rows import StatusRow, status_row
from suivi_projections.domain.shipments import (
    DEFAULT_REUSE_AFTER,
    Key,
    key_of,
)
from suivi_projections.write import sql
from suivi_projections.write.estimates import observation_rows
from suivi_projections.write.locks import lock_id, lock_keys, part_of
from suivi_projections.write.orders import (
    OrderCandidates,
    OrderWrites,
    Written,
    parcels_of,
    refresh_orders,
    set_statuses,
    status_updates,
    write_orders,
)
from suivi_projections.write.part import Part, write_part
from suivi_projections.write.shipments import (
    plan,
    shipments_args,
    state_args,
    state_of,
)
from suivi_projections.write.wire import Wire
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

    def add(self, other: ApplyResult) -> None:
        """Counts `other` (a later pass of the same batch) in."""
        self.applied.update(other.applied)
        self.orders_applied += other.orders_applied
        self.orders_stale += other.orders_stale
        self.status_duplicates += other.status_duplicates
        self.order_duplicates += other.order_duplicates
        self.notified.extend(other.notified)
        if other.newest_occurred_at is not None and (
            self.newest_occurred_at is None or other.newest_occurred_at > self.newest_occurred_at
        ):
            self.newest_occurred_at = other.newest_occurred_at


# Status rows decoded when their turn comes (see apply_batch's `later`).
Later = Callable[[], Iterable[StatusRow]]


async def apply_batch(
    conn: asyncpg.Connection,
    statuses: Sequence[StatusRow | ShipmentStatusEvent],
    orders: Sequence[OrderEvent],
    *,
    reuse_after: timedelta = DEFAULT_REUSE_AFTER,
    channel: str = ORDER_CHANGED_CHANNEL,
    token_key: SecretStr | None = None,
    parts: int = 1,
    later: Sequence[Later] = (),
) -> ApplyResult:
    """Applies the batch; the caller holds the transaction (and commits offsets after it).
    Status events come as rows (`db.rows.decode_status`, the projector's) or as models.

    With `parts` > 1 the status events are applied in that many parts by key (`part_of`), in
    the same transaction, each part's statements sent while Python works on another part's
    (see the module's docstring); `later[i]` gives more status rows, read while the first i + 1
    parts' statements are on their way (the projector's records of part i + 1, decoded then).
    The read model is the same whatever `parts` (each key is one part's; see `_Apply`)."""
    wire = Wire(conn)
    try:
        return await _Apply(wire, reuse_after, channel, token_key).run(
            statuses, orders, max(1, parts), later
        )
    except BaseException:
        await wire.settle()
        raise


def _fetching(
    query: str, *args: Any
) -> Callable[[asyncpg.Connection], Awaitable[list[asyncpg.Record]]]:
    async def fetch(conn: asyncpg.Connection) -> list[asyncpg.Record]:
        return await conn.fetch(query, *args)  # type: ignore[no-any-return]

    return fetch


async def _write_orders(
    found: OrderCandidates, token_key: SecretStr, conn: asyncpg.Connection
) -> OrderWrites:
    return await write_orders(conn, found, token_key)


class _Apply:
    """One batch through the write path (see the module's docstring): its parts' statements in
    a fixed order, each sent before the CPU work it does not need (the `_fresh`, `_plan`,
    `_statuses` of another part, or reading the next part's records)."""

    def __init__(
        self, wire: Wire, reuse_after: timedelta, channel: str, token_key: SecretStr | None
    ) -> None:
        self.wire = wire
        self.reuse_after = reuse_after
        self.channel = channel
        self.token_key = token_key
        self.result = ApplyResult()
        self.parts: list[Part] = []
        self.trailing: list[StatusRow] = []  # rows of a part already under way: a pass after
        self.locked: dict[int, Sequence[Any]] = {}  # the orders locked (LOCK_ORDERS rows)
        self.last: dict[int, int] | None = None  # order id -> the last part changing it
        self.updates: list[tuple[int, str]] = []

    def _route(self, statuses: Iterable[StatusRow | ShipmentStatusEvent], started: int) -> None:
        """Each row to its part, or after the batch if its part is under way already (a
        record whose Kafka key is not its shipment's)."""
        parts, count = self.parts, len(self.parts)
        for e in statuses:
            # A row is a tuple: no ABC check per event (the models' metaclass is an ABCMeta).
            row = e if isinstance(e, tuple) else status_row(e)
            index = part_of(lock_id((row.carrier, row.tracking_number)), count) if count > 1 else 0
            (parts[index].rows if index >= started else self.trailing).append(row)

    def _part(self, key: Key) -> Part:
        count = len(self.parts)
        return self.parts[part_of(lock_id(key), count) if count > 1 else 0]

    async def run(
        self,
        statuses: Sequence[StatusRow | ShipmentStatusEvent],
        orders: Sequence[OrderEvent],
        count: int,
        later: Sequence[Later],
    ) -> ApplyResult:
        wire, result = self.wire, self.result
        self.parts = parts = [Part(i) for i in range(count)]
        self._route(statuses, 0)

        # The order events not applied before, and all their parcels' keys (GATE).
        by_id_o = {e.event_id: e for e in reversed(orders)}
        gate = None
        if by_id_o:
            ids = sorted(by_id_o)
            events = [by_id_o[i] for i in ids]
            gate = await wire.send(
                _fetching(
                    sql.GATE_AND_LINKED_KEYS, ids, [ORDERS.name] * len(ids),
                    [e.merchant_id for e in events], [e.order_number for e in events],
                )
            )  # fmt: skip
        parts[0].prepare()
        fresh_orders: set[UUID] = set()
        order_keys: set[Key] = set()
        if gate is not None:
            for event_id, carrier, number in await gate:
                if event_id is not None:
                    fresh_orders.add(event_id)
                else:
                    order_keys.add(key_of(carrier, number))
        found = OrderCandidates.of(e for i, e in by_id_o.items() if i in fresh_orders)
        order_keys |= found.parcel_keys()
        result.order_duplicates = len(orders) - len(fresh_orders)
        order_locks: list[set[Key]] = [set() for _ in parts]
        for key in order_keys:
            order_locks[self._part(key).index].add(key)

        # Each part's timeline rows, with its keys' locks (parts in lock order: see part_of).
        fresh_of = None
        for i, part in enumerate(parts):
            lock_ids = sorted({lock_id(k) for k in part.locks | order_locks[i]})
            inserting = None
            if part.ordered:
                inserting = await wire.send(
                    _fetching(sql.INSERT_EVENTS, lock_ids, part.events_json)
                )
            elif lock_ids:
                await wire.send(_fetching(sql.LOCK_KEYS, lock_ids))
            if fresh_of is not None:
                fresh_of()
            if i < len(later):
                self._route(later[i](), i + 1)
            if i + 1 < count:
                parts[i + 1].prepare()
            fresh: set[UUID] = set()
            if inserting is not None:
                fresh = set((await inserting)[0]["fresh"])
            fresh_of = functools.partial(self._fresh, part, fresh)
        for more in later[count:]:
            self._route(more(), count)
        # The orders: stored, their parcels unlinked (the statuses' rows are read meanwhile).
        writes = OrderWrites(0, {})
        if found.snapshots or found.fulfilments:
            token_key = self.token_key or TokenSettings().token_key
            writing = await wire.send(functools.partial(_write_orders, found, token_key))
            if fresh_of is not None:
                fresh_of()
            writes = await writing
        elif fresh_of is not None:
            fresh_of()
        result.orders_applied = writes.applied
        result.orders_stale = len(orders) - result.order_duplicates - writes.applied
        await self._share(writes, order_keys)

        # Each part's state (the first part locks all the batch's orders), then its plan.
        relinking = sorted(writes.links)
        others = {k for part in parts[1:] for k in part.keys}
        planning = None
        for i, part in enumerate(parts):
            loading = None
            if i == 0:
                args = state_args(part.keys, part.observed, relinking, others)
                if args is not None:
                    loading = await wire.send(_fetching(sql.LOAD_AND_LOCK, *args))
            else:
                args = state_args(part.keys, part.observed)
                if args is not None:
                    loading = await wire.send(_fetching(sql.LOAD_AND_OBSERVE, *args[:3]))
            if planning is not None:
                await planning()
            rows = [] if loading is None else await loading
            planning = functools.partial(self._plan, part, rows)

        # Each part's shipments written, then the statuses of the orders it was last to change.
        statuses_of = None
        for i, part in enumerate(parts):
            if planning is not None and i == count - 1:
                await planning()  # one part: nothing to send meanwhile
                planning = None
            writing_part = await wire.send(functools.partial(write_part, part))
            if planning is not None:
                await planning()
                planning = None
            if statuses_of is not None:
                statuses_of()
            statuses_of = functools.partial(self._statuses, part, await writing_part)
        if statuses_of is not None:
            statuses_of()

        changed = {o for part in parts for o in part.changed}
        if changed:
            await wire.idle()
            if changed - self.locked.keys():  # none: all were locked with the keys
                result.notified = await refresh_orders(wire.conn, changed, self.channel)
            else:
                tokens = [self.locked[o][2] for o in sorted(changed)]
                result.notified = await set_statuses(
                    wire.conn, sorted(self.updates), tokens, self.channel
                )
        if self.trailing:
            await wire.idle()
            after = await apply_batch(
                wire.conn, self.trailing, [], reuse_after=self.reuse_after, channel=self.channel,
                token_key=self.token_key,
            )  # fmt: skip
            result.add(after)
        return result

    def _fresh(self, part: Part, fresh: set[UUID]) -> None:
        """The part's events new to the timeline, as checkpoints by key; its estimates."""
        result = self.result
        new_statuses = [e for e in part.ordered if e.event_id in fresh]
        result.status_duplicates += part.timeline - len(new_statuses)
        for event in new_statuses:
            key = (event.carrier, event.tracking_number)
            part.fresh.setdefault(key, []).append(event.checkpoint())
            result.applied[event.status.value] += 1
        if new_statuses:
            newest = max(e.occurred_at for e in new_statuses)
            if result.newest_occurred_at is None or newest > result.newest_occurred_at:
                result.newest_occurred_at = newest
        # Every status event carrying an estimate is observed, duplicates and revisions included.
        part.observed = observation_rows([*part.ordered, *part.revisions])

    async def _share(self, writes: OrderWrites, order_keys: set[Key]) -> None:
        """The keys each part plans: its events' and, by key, the orders' parcels, those
        unlinked and linked; the orders' new links; the orders each part changes."""
        parts = self.parts
        touched = set(order_keys)
        unlinked = writes.unlinked
        if writes.links:
            linking = {link.key for links in writes.links.values() for link in links}
            locked = order_keys.union(*(part.locks for part in parts))
            extra = (unlinked | linking) - locked
            if extra:
                # Only if a rebalance let another instance change the order meanwhile; rare, and
                # a deadlock it might cause aborts the batch, which is then retried.
                await self.wire.idle()
                await lock_keys(self.wire.conn, extra)
            touched |= unlinked | linking
        for part in parts:
            part.keys = set(part.fresh)
        for key in touched:
            self._part(key).keys.add(key)
        for order_id, links in writes.links.items():
            for link in links:
                part = self._part(link.key)
                part.new_links.append((order_id, link))
                part.relinked.add(link.key)
            # The order's status is read again by the parts of its new parcels (none: the first).
            owners = {self._part(link.key).index for link in links} or {0}
            for index in owners:
                parts[index].changed.add(order_id)
        for key in unlinked:
            self._part(key).relinked.add(key)

    async def _plan(self, part: Part, rows: Sequence[Sequence[Any]]) -> None:
        """The part's state read (the orders locked, if its statement locked them), its plan,
        and the parameters of its WRITE_SHIPMENTS."""
        state = state_of(part.keys, rows)
        self.locked.update(state.orders)
        work = await plan(self.wire, state, part.fresh, part.new_links, part.relinked,
                          self.reuse_after)  # fmt: skip
        part.work = work
        part.changed |= work.changed
        part.written = shipments_args(work, state.estimated, part.changed)

    def _statuses(self, part: Part, parcels: Sequence[Sequence[Any]]) -> None:
        """The new statuses of the orders this part was the last to change: its read of their
        parcels came after the earlier parts' writes, and its own writes are in `work`."""
        if self.last is None:  # every part's plan is done by now
            self.last = {o: part.index for part in self.parts for o in part.changed}
        mine = {o for o in part.changed if self.last[o] == part.index and o in self.locked}
        if not mine:
            return
        work = part.work
        written = Written(work.final, {(o, key): n for o, key, n in work.relink}, work.inserts)
        shipments = parcels_of(parcels, written, mine)
        self.updates.extend(status_updates([self.locked[o] for o in sorted(mine)], shipments))
