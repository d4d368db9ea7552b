"""The outbox relay: events written with their change (same transaction) are published on
their stream's topic (`commerce.returns.v1`, `commerce.claims.v1`) in the order written, then
marked published.

Nothing is lost (a change and its events commit together; the relay publishes what is pending
after any crash) and a transition is one event id (a crash between the broker's ack and the
mark publishes it again, with the same id: readers deduplicate). One relay at a time holds a
transaction-level advisory lock, so a return's events keep their order across instances.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import datetime
from typing import Any

import asyncpg

from suivi_infra.records import OutRecord, RecordSink

log = logging.getLogger(__name__)

_LOCK = "SELECT pg_try_advisory_xact_lock(hashtextextended('suivi_aftersales.outbox', 0))"
_PENDING = """
SELECT seq, stream, record_key, body FROM aftersales_outbox WHERE published_at IS NULL
ORDER BY seq LIMIT $1"""
_MARK = "UPDATE aftersales_outbox SET published_at = $2 WHERE seq = ANY($1::bigint[])"


class OutboxRelay:
    def __init__(
        self, pool: asyncpg.Pool, sink: RecordSink, topics: dict[str, str], *, batch: int = 500,
        idle_seconds: float = 0.25, metrics: Any = None,
    ) -> None:  # fmt: skip
        self.pool, self.sink, self.topics = pool, sink, topics  # stream → topic
        self.batch, self.idle_seconds, self.metrics = batch, idle_seconds, metrics
        self.wake = asyncio.Event()

    async def relay_once(self, now: datetime) -> int:
        """Publishes one batch of pending events; how many (0: none pending, or another relay
        holds the lock)."""
        async with self.pool.acquire() as conn, conn.transaction():
            if not await conn.fetchval(_LOCK):
                return 0
            rows = await conn.fetch(_PENDING, self.batch)
            if not rows:
                return 0
            acks = []
            for stream, topic in self.topics.items():
                records = [
                    OutRecord(r["record_key"].encode(), bytes(r["body"]))
                    for r in rows
                    if r["stream"] == stream
                ]
                acks += await self.sink.publish(topic, records)
            for ack in acks:
                await ack  # acks=all: durable on the broker before it counts as published
            await conn.execute(_MARK, [r["seq"] for r in rows], now)
        if self.metrics is not None:
            self.metrics.published.inc(len(rows))
        return len(rows)

    async def run(self, stop: asyncio.Event, clock: Any) -> None:
        while not stop.is_set():
            try:
                if await self.relay_once(clock()) == self.batch:
                    continue
            except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
                log.warning("outbox not relayed (%s); retrying", type(exc).__name__)
            except Exception as exc:  # a broker error: the rows stay pending, retried
                log.warning("outbox not relayed (%s); retrying", type(exc).__name__)
            self.wake.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.wake.wait(), self.idle_seconds)
