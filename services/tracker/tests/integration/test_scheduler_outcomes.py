"""The scheduler against a failing source, on PostgreSQL: a 429's Retry-After is waited out; a
source down is backed off, its circuit opens (calls stop, the trackings wait), then a trial call
closes it again; an unchanged body is not published twice; a needed postal code → needs_info."""

from __future__ import annotations

from datetime import timedelta

import asyncpg
import pytest

from suivi_infra.testing import RecordingSink
from suivi_tracker.db.migrate import migrate
from suivi_tracker.domain.circuit import CircuitPolicy
from suivi_tracker.domain.sources import (
    Mode,
    NeedsInfo,
    Polled,
    RateLimited,
    TrackingRef,
    Unavailable,
)
from suivi_tracker.handlers.rounds import RoundConfig
from suivi_tracker.testing.fakes import Answer, FakeSource, static_body
from suivi_tracker.testing.harness import T0, SettableClock, build_scheduler, insert_due

pytestmark = pytest.mark.integration


async def due_row(pool: asyncpg.Pool) -> asyncpg.Record:
    async with pool.acquire() as conn:
        row: asyncpg.Record = await conn.fetchrow(
            "SELECT state, next_due_at, failures, last_error, needs, polls FROM trackings"
        )
    return row


async def test_retry_after_is_waited_out(pg_pool: asyncpg.Pool) -> None:
    async with pg_pool.acquire() as conn:
        await migrate(conn)
        await insert_due(conn, 1, T0)

    def script(ref: TrackingRef, n: int) -> Answer:
        return RateLimited(retry_after=900) if n == 1 else static_body(ref, n)

    source, clock = FakeSource("fake", script=script), SettableClock(T0)
    built = build_scheduler(pg_pool, {"fake": source}, clock)
    await built.scheduler.round()
    row = await due_row(pg_pool)
    assert row["next_due_at"] >= T0 + timedelta(seconds=900)
    assert (row["failures"], row["last_error"]) == (1, "rate_limited")
    clock.advance(timedelta(seconds=899))
    assert await built.scheduler.round() == 0  # not before Retry-After
    clock.advance(row["next_due_at"] - clock.now)
    assert await built.scheduler.round() == 1
    assert (await due_row(pg_pool))["failures"] == 0 and source.polls.total() == 2


async def test_a_source_down_opens_its_circuit_then_recovers(pg_pool: asyncpg.Pool) -> None:
    async with pg_pool.acquire() as conn:
        await migrate(conn)
        await insert_due(conn, 10, T0)
    down = True

    def script(ref: TrackingRef, n: int) -> Answer:
        return Unavailable("503") if down else static_body(ref, n)

    source, clock = FakeSource("fake", script=script), SettableClock(T0)
    policy = CircuitPolicy(threshold=3, cooldown=timedelta(minutes=5))
    built = build_scheduler(
        pg_pool, {"fake": source}, clock, circuit=policy, config=RoundConfig(concurrency=1)
    )
    assert await built.scheduler.round() == 10
    assert source.polls.total() == 3  # opened after 3 failures: the 7 others were not called
    assert built.scheduler.breakers.circuits["fake"].state == "open"
    async with pg_pool.acquire() as conn:
        errors = await conn.fetch("SELECT last_error, count(*) AS n FROM trackings GROUP BY 1")
    assert {r["last_error"]: r["n"] for r in errors} == {"unavailable": 3, "circuit_open": 7}
    down = False
    clock.advance(timedelta(minutes=10))  # past the cool-down and the back-off
    assert await built.scheduler.round() == 10
    assert built.scheduler.breakers.circuits["fake"].state == "closed"
    assert source.polls.total() == 13  # the trial, then everyone
    async with pg_pool.acquire() as conn:
        assert await conn.fetchval("SELECT max(failures) FROM trackings") == 0


async def test_unchanged_bodies_are_published_once_and_needs_info_stops(
    pg_pool: asyncpg.Pool,
) -> None:
    async with pg_pool.acquire() as conn:
        await migrate(conn)
        await insert_due(conn, 1, T0)
        await insert_due(conn, 1, T0, prefix="7B")

    def script(ref: TrackingRef, n: int) -> Answer:
        if ref.tracking_number.startswith("7B"):
            return NeedsInfo(("postal_code",))
        spaced = b'{"a": 1,  "transactionId": "%d"}' % n  # same content, new request id
        return Polled(provider="laposte", body=spaced)

    sink, clock = RecordingSink(), SettableClock(T0)
    built = build_scheduler(pg_pool, {"fake": FakeSource("fake", script=script)}, clock, sink=sink)
    for _ in range(3):
        await built.scheduler.round()
        clock.advance(timedelta(hours=4))
    assert len(sink.sent) == 1
    assert sink.sent[0].key == b"laposte:6A00000000001"
    async with pg_pool.acquire() as conn:
        needs = await conn.fetchrow("SELECT * FROM trackings WHERE tracking_number LIKE '7B%'")
    assert (needs["state"], needs["needs"], needs["next_due_at"]) == (
        "needs_info",
        ["postal_code"],
        None,
    )


async def test_thirty_silent_days_expire_and_unregister(pg_pool: asyncpg.Pool) -> None:
    async with pg_pool.acquire() as conn:
        await migrate(conn)
        await insert_due(
            conn, 1, T0, source="push", mode="push", created_at=T0 - timedelta(days=31)
        )
        await conn.execute("UPDATE trackings SET source_ref = 'trk_1'")
    push = FakeSource("push", Mode.PUSH)
    built = build_scheduler(pg_pool, {"push": push}, SettableClock(T0))
    assert await built.scheduler.round() == 1
    row = await due_row(pg_pool)
    assert (row["state"], row["next_due_at"]) == ("expired", None)
    assert push.unregistered == ["6A00000000001"] and not push.polls
