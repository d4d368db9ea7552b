"""Claims on PostgreSQL: two instances poll each due tracking exactly once per due time, and an
instance abandoned mid-round (a cancelled task, and a process killed with SIGKILL) loses nothing
and doubles nothing: its claimed rows are polled again only once their lease has ended."""

from __future__ import annotations

import asyncio
import sys
from collections import Counter
from datetime import timedelta

import asyncpg
import pytest

from suivi_infra.settings import PostgresSettings
from suivi_tracker.db.migrate import migrate
from suivi_tracker.handlers.rounds import RoundConfig
from suivi_tracker.testing.fakes import FakeSource
from suivi_tracker.testing.harness import T0, SettableClock, build_scheduler, insert_due

pytestmark = pytest.mark.integration
N = 500


async def second_pool(settings: PostgresSettings, schema: str) -> asyncpg.Pool:
    pool: asyncpg.Pool = await asyncpg.create_pool(
        settings.database_url, min_size=1, max_size=4, server_settings={"search_path": schema}
    )
    return pool


async def rounds_until_idle(*schedulers: object) -> None:
    while True:
        claimed = await asyncio.gather(*(s.round() for s in schedulers))  # type: ignore[attr-defined]
        if not any(claimed):
            return


async def test_two_instances_poll_each_due_tracking_once_per_due_time(
    pg_pool: asyncpg.Pool, postgres_settings: PostgresSettings, pg_schema: str
) -> None:
    async with pg_pool.acquire() as conn:
        await migrate(conn)
        await insert_due(conn, N, T0)
    other_pool = await second_pool(postgres_settings, pg_schema)
    clock = SettableClock(T0)
    a, b = FakeSource("fake", delay=0.001), FakeSource("fake", delay=0.001)
    config = RoundConfig(batch=50, concurrency=8)
    one = build_scheduler(pg_pool, {"fake": a}, clock, config=config, seed=1)
    two = build_scheduler(other_pool, {"fake": b}, clock, config=config, seed=2)
    try:
        await rounds_until_idle(one.scheduler, two.scheduler)
        polls = a.polls + b.polls
        assert len(polls) == N and set(polls.values()) == {1}
        assert a.polls and b.polls  # both took part
        # Changed bodies were published once each; unchanged ones are not published again.
        clock.advance(timedelta(hours=4))  # past every next due (3 h ± 10 %)
        await rounds_until_idle(one.scheduler, two.scheduler)
        polls = a.polls + b.polls
        assert set(polls.values()) == {2}
        published = one.sink.sent + two.sink.sent  # type: ignore[attr-defined]
        assert len(published) == N  # the second poll found the same body
        async with pg_pool.acquire() as conn:
            left = await conn.fetchval(
                "SELECT count(*) FROM trackings WHERE lease_token IS NOT NULL "
                "OR next_due_at <= $1 OR polls <> 2",
                clock.now,
            )
        assert left == 0
    finally:
        await other_pool.close()


async def test_an_instance_killed_mid_round_loses_and_doubles_nothing(
    pg_pool: asyncpg.Pool, postgres_settings: PostgresSettings, pg_schema: str
) -> None:
    async with pg_pool.acquire() as conn:
        await migrate(conn)
        await insert_due(conn, 40, T0)
    clock = SettableClock(T0)
    blocked, all_in_flight = asyncio.Event(), asyncio.Event()

    hung = FakeSource("fake")

    async def never_answers(ref: object) -> object:
        hung.polls[getattr(ref, "tracking_number", "")] += 1
        if len(hung.polls) == 25:
            all_in_flight.set()
        await blocked.wait()
        raise AssertionError("unreachable")

    hung.poll = never_answers  # type: ignore[assignment,method-assign]
    config = RoundConfig(batch=25, lease_seconds=120, concurrency=25)
    dying = build_scheduler(pg_pool, {"fake": hung}, clock, config=config)
    task = asyncio.create_task(dying.scheduler.round())
    await asyncio.wait_for(all_in_flight.wait(), 10)
    task.cancel()  # the process dies: no outcome is recorded, the leases stay
    with pytest.raises(asyncio.CancelledError):
        await task

    other_pool = await second_pool(postgres_settings, pg_schema)
    healthy = FakeSource("fake")
    survivor = build_scheduler(other_pool, {"fake": healthy}, clock, config=config)
    try:
        await rounds_until_idle(survivor.scheduler)
        assert len(healthy.polls) == 15  # the 15 not claimed by the dead instance
        assert not set(healthy.polls) & set(hung.polls)  # leased rows are not doubled
        clock.advance(timedelta(seconds=119))
        await rounds_until_idle(survivor.scheduler)
        assert len(healthy.polls) == 15  # still within the lease
        clock.advance(timedelta(seconds=2))  # the lease is over
        await rounds_until_idle(survivor.scheduler)
        assert Counter(healthy.polls.values()) == Counter({1: 40})  # none lost, none twice
        assert set(healthy.polls) >= set(hung.polls)
    finally:
        await other_pool.close()


HUNG_INSTANCE = """
import asyncio, sys
import asyncpg
from suivi_tracker.handlers.rounds import RoundConfig
from suivi_tracker.testing.fakes import FakeSource
from suivi_tracker.testing.harness import T0, SettableClock, build_scheduler

class Hung(FakeSource):
    async def poll(self, ref):  # never answers: the process is killed mid-call
        print("polling", flush=True)
        await asyncio.Event().wait()

async def main():
    pool = await asyncpg.create_pool(sys.argv[1], server_settings={"search_path": sys.argv[2]})
    built = build_scheduler(pool, {"fake": Hung("fake")}, SettableClock(T0),
                            config=RoundConfig(batch=25, concurrency=25))
    await built.scheduler.round()

asyncio.run(main())
"""


async def test_kill_9_mid_round_loses_and_doubles_nothing(
    pg_pool: asyncpg.Pool, postgres_settings: PostgresSettings, pg_schema: str
) -> None:
    async with pg_pool.acquire() as conn:
        await migrate(conn)
        await insert_due(conn, 40, T0)
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-c", HUNG_INSTANCE, postgres_settings.database_url, pg_schema,
        stdout=asyncio.subprocess.PIPE,
    )  # fmt: skip
    assert process.stdout is not None
    try:
        for _ in range(25):  # every claimed row's call is in flight
            assert await asyncio.wait_for(process.stdout.readline(), 30) == b"polling\n"
    finally:
        process.kill()  # SIGKILL: no outcome, no cleanup, the leases stay
        await process.wait()
    async with pg_pool.acquire() as conn:
        leased = await conn.fetchval("SELECT count(*) FROM trackings WHERE lease_token IS NOT NULL")
    assert leased == 25
    clock, source = SettableClock(T0), FakeSource("fake")
    survivor = build_scheduler(pg_pool, {"fake": source}, clock)
    await rounds_until_idle(survivor.scheduler)
    assert source.polls.total() == 15  # the killed instance's rows are not doubled
    clock.advance(timedelta(seconds=121))  # its lease is over: they are not lost either
    await rounds_until_idle(survivor.scheduler)
    assert Counter(source.polls.values()) == Counter({1: 40})
