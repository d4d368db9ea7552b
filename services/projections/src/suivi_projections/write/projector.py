"""The hot path: one consumed batch (both topics) → one PostgreSQL transaction → dead letters.

Valid events are applied in a single transaction (see batch.apply_batch); records that are not
valid events go to the dead-letter topic with the reason, and the batch goes on. Status events,
most of the traffic, are read straight into rows (db.rows.decode_status: the model's values
without building the model when the record is in its published form, the model's own
validation otherwise). A valid event the transaction fails on (a value PostgreSQL refuses)
fails the batch, which the shared consumer splits to dead-letter that event alone
(suivi_infra.poison). Only when the transaction committed and the dead letters were
acknowledged does the caller commit offsets; any failure raises, nothing is committed, and the
batch is consumed again (applying it twice changes nothing).
"""

from __future__ import annotations

import asyncio
import functools
import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta

import asyncpg
from asyncpg.transaction import Transaction
from pydantic import SecretStr

from suivi_infra import heap
from suivi_infra.dlq import DeadLetterQueue
from suivi_infra.records import ConsumedRecord, RecordSink
from suivi_infra.tokens import TokenSettings
from suivi_projections.db.rows import StatusRow, decode_status
from suivi_projections.domain.shipments import DEFAULT_REUSE_AFTER
from suivi_projections.metrics import ProjectionsMetrics
from suivi_projections.write.batch import ApplyResult, Later, apply_batch
from suivi_projections.write.decode import decode_order
from suivi_projections.write.legs import apply_links
from suivi_projections.write.locks import key_part
from suivi_schemas import OrderEvent
from suivi_schemas.legs import LegLinkEvent

log = logging.getLogger(__name__)


class UnexpectedTopicError(ValueError):
    pass


def _decode(
    records: Sequence[ConsumedRecord], dead: list[tuple[ConsumedRecord, BaseException]]
) -> list[StatusRow]:
    """The rows of status records; those that are no valid event go to `dead`."""
    rows = []
    for record in records:
        try:
            rows.append(decode_status(record.value or b""))
        # A poison record must never stop the partition: whatever fails goes to the DLQ.
        except Exception as exc:
            dead.append((record, exc))
    return rows


@dataclass(slots=True)
class BatchResult:
    records: int
    dead_lettered: int
    applied: ApplyResult


class Projector:
    def __init__(
        self,
        pool: asyncpg.Pool,
        sink: RecordSink,
        metrics: ProjectionsMetrics,
        *,
        status_topic: str,
        orders_topic: str,
        dlq_topic: str,
        reuse_after: timedelta = DEFAULT_REUSE_AFTER,
        token_key: SecretStr | None = None,
        legs_topic: str = "",
        parts: int = 1,
        parts_from: int = 0,
    ) -> None:
        self.pool = pool
        self.sink = sink
        self.metrics = metrics
        self.status_topic = status_topic
        self.orders_topic = orders_topic
        self.dlq_topic = dlq_topic
        # Also where the shared consumer puts records the transaction fails on (suivi_infra.poison).
        self.dead_letters = DeadLetterQueue(sink, dlq_topic)
        self.reuse_after = reuse_after
        self.token_key = token_key or TokenSettings().token_key
        self.legs_topic = legs_topic  # hand-offs between carriers (issue 17); empty: none
        self._topics = frozenset(t for t in (status_topic, orders_topic, legs_topic) if t)
        # A batch is applied in a part per `parts_from` status records, up to `parts` (see
        # write.batch): PostgreSQL works on one part's statements while Python works on another.
        self.parts = max(1, parts)
        self.parts_from = parts_from
        self._releasing: set[asyncio.Future[None]] = set()

    async def process(self, records: Sequence[ConsumedRecord]) -> BatchResult:
        with heap.held():  # see suivi_infra.heap
            return await self._process(records)

    async def _process(self, records: Sequence[ConsumedRecord]) -> BatchResult:
        started = time.perf_counter()
        # The transaction begins while the records are read: BEGIN's round trip overlaps that.
        opening = None
        if any(r.topic in self._topics for r in records):
            opening = asyncio.ensure_future(self._begin())
        try:
            await asyncio.sleep(0)  # BEGIN on its way
            statuses, orders, links, dead, later = self._read(records)
            result = ApplyResult()
            if later and not (statuses or orders or links):
                for more in later:  # nothing to overlap the reading with: read all now
                    statuses.extend(more())
                later = []
            if statuses or orders or links or later:
                assert opening is not None
                conn, tx = await opening
                opening = None  # the connection is this block's to give back
                try:
                    result = await apply_batch(
                        conn, statuses, orders, reuse_after=self.reuse_after,
                        token_key=self.token_key, parts=1 + len(later), later=later,
                    )  # fmt: skip
                    await apply_links(conn, links)
                    await tx.commit()
                except BaseException:
                    await self._close(conn, tx)
                    raise
                self._release(conn)
        finally:
            if opening is not None:  # nothing valid to apply, or cancelled: not needed after all
                await self._abandon(opening)
        if dead:
            log.warning("%d record(s) dead-lettered to %s", len(dead), self.dlq_topic)
            await self.send(dead)
        self._observe(result, len(records))
        self.metrics.batch_duration.observe(time.perf_counter() - started)
        return BatchResult(len(records), len(dead), result)

    def _read(
        self, records: Sequence[ConsumedRecord]
    ) -> tuple[
        list[StatusRow],
        list[OrderEvent],
        list[LegLinkEvent],
        list[tuple[ConsumedRecord, BaseException]],
        list[Later],
    ]:
        """The batch's valid events and its unreadable records. With `parts`, the status
        records of the first part (by Kafka key: write.locks.key_part) only: each other part's
        are read when write.batch.apply_batch calls its `Later`, while the statements of the
        parts before it are on their way."""
        statuses: list[StatusRow] = []
        orders: list[OrderEvent] = []
        links: list[LegLinkEvent] = []
        dead: list[tuple[ConsumedRecord, BaseException]] = []
        status_topic = self.status_topic
        parts = self.parts
        if parts > 1:  # a part per `parts_from` status records, up to `parts`
            count = sum(1 for r in records if r.topic == status_topic)
            parts = max(1, min(parts, count // max(1, self.parts_from)))
        split: list[list[ConsumedRecord]] = [[] for _ in range(parts)]
        for record in records:
            if record.topic == status_topic:
                split[key_part(record.key, parts)].append(record)
                continue
            try:
                value = record.value or b""
                if record.topic == self.orders_topic:
                    orders.append(decode_order(value))
                elif self.legs_topic and record.topic == self.legs_topic:
                    links.append(LegLinkEvent.model_validate_json(value))
                else:
                    raise UnexpectedTopicError(f"not a topic of the projector: {record.topic}")
            # A poison record must never stop the partition: whatever fails goes to the DLQ.
            except Exception as exc:
                dead.append((record, exc))
        statuses.extend(_decode(split[0], dead))
        later: list[Later] = [functools.partial(_decode, part, dead) for part in split[1:]]
        return statuses, orders, links, dead, later

    async def _begin(self) -> tuple[asyncpg.Connection, Transaction]:
        conn = await self.pool.acquire()
        tx = conn.transaction()
        try:
            await tx.start()
        except BaseException:
            await self.pool.release(conn)
            raise
        return conn, tx

    async def _abandon(self, opening: asyncio.Task[tuple[asyncpg.Connection, Transaction]]) -> None:
        try:
            conn, tx = await opening
        except Exception:
            return  # unused, so unneeded: as if never opened
        await self._close(conn, tx)

    async def _close(self, conn: asyncpg.Connection, tx: Transaction) -> None:
        """Rolls the transaction back (if it still can) and gives the connection back."""
        try:
            if not conn.is_closed() and conn.is_in_transaction():
                await tx.rollback()
        except Exception:  # failed already: the pool's reset rolls back, or discards the connection
            log.debug("rollback failed", exc_info=True)
        finally:
            await self.pool.release(conn)

    def _release(self, conn: asyncpg.Connection) -> None:
        """Gives the connection back to the pool off the batch's path: the pool's reset of the
        session is one more round trip the next batch need not wait for (the pool's close
        waits for it)."""
        task = asyncio.ensure_future(self.pool.release(conn))
        self._releasing.add(task)
        task.add_done_callback(self._releasing.discard)

    async def send(self, failures: Sequence[tuple[ConsumedRecord, BaseException]]) -> None:
        """Dead letters, counted once acknowledged: this batch's unreadable records, and those
        the shared consumer isolated (suivi_infra.poison.DeadLetters)."""
        await self.dead_letters.send(failures)
        for record, exc in failures:
            self.metrics.dead_letters.labels(record.topic, exc.__class__.__name__).inc()

    def _observe(self, result: ApplyResult, records: int) -> None:
        for status, count in result.applied.items():
            self.metrics.events_applied.labels(self.status_topic, status).inc(count)
        if result.orders_applied:
            self.metrics.events_applied.labels(self.orders_topic, "order").inc(
                result.orders_applied
            )
        if result.status_duplicates:
            self.metrics.duplicates.labels(self.status_topic).inc(result.status_duplicates)
        if result.order_duplicates:
            self.metrics.duplicates.labels(self.orders_topic).inc(result.order_duplicates)
        self.metrics.stale_snapshots.inc(result.orders_stale)
        self.metrics.order_notifications.inc(len(result.notified))
        if result.newest_occurred_at is not None:
            self.metrics.applied_up_to(result.newest_occurred_at)
        self.metrics.batch_size.observe(records)
