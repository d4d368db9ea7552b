"""The outbox relay on PostgreSQL: pending events go to their stream's topic in the order written
and are marked published only once the broker acknowledged them; a failing broker leaves them
pending (published later, same ids), and two relays never publish the same rows twice."""

from __future__ import annotations

import asyncio
import uuid

import asyncpg
import pytest

from suivi_aftersales.adapters.relay import OutboxRelay
from suivi_aftersales.db.migrate import migrate
from suivi_aftersales.testing.builders import T0
from suivi_infra.testing import RecordingSink

TOPICS = {"returns": "returns-topic", "claims": "claims-topic"}


async def pending(pool: asyncpg.Pool) -> int:
    count: int = await pool.fetchval(
        "SELECT count(*) FROM aftersales_outbox WHERE published_at IS NULL"
    )
    return count


async def write(pool: asyncpg.Pool, n: int) -> None:
    async with pool.acquire() as conn:
        await migrate(conn)
        for i in range(n):
            stream = "claims" if i % 3 == 0 else "returns"
            await conn.execute(
                "INSERT INTO aftersales_outbox (event_id, record_key, body, stream)"
                " VALUES ($1, $2, $3, $4)",
                uuid.uuid4(), f"atelier:R-{i % 4}", f"{i}".encode(), stream,
            )  # fmt: skip


async def test_events_go_to_their_topic_in_order_once_acknowledged(pg_pool: asyncpg.Pool) -> None:
    await write(pg_pool, 10)
    failing = OutboxRelay(pg_pool, RecordingSink(fail=True), TOPICS)
    with pytest.raises(ConnectionError):
        await failing.relay_once(T0)
    assert await pending(pg_pool) == 10  # nothing marked: published again later
    sink = RecordingSink()
    assert await OutboxRelay(pg_pool, sink, TOPICS).relay_once(T0) == 10
    assert await pending(pg_pool) == 0
    assert [int(p.value) for p in sink.on("claims-topic")] == [0, 3, 6, 9]
    assert [int(p.value) for p in sink.on("returns-topic")] == [1, 2, 4, 5, 7, 8]
    assert await OutboxRelay(pg_pool, sink, TOPICS).relay_once(T0) == 0


async def test_two_relays_publish_each_row_once(pg_pool: asyncpg.Pool) -> None:
    await write(pg_pool, 60)
    sink = RecordingSink()
    relays = [OutboxRelay(pg_pool, sink, TOPICS, batch=7) for _ in range(2)]

    async def drain(relay: OutboxRelay) -> None:
        for _ in range(40):
            await relay.relay_once(T0)

    await asyncio.gather(*(drain(r) for r in relays))
    assert sorted(int(p.value) for p in sink.sent) == list(range(60))
