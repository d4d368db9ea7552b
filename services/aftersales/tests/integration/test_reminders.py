"""The reminder scheduler on PostgreSQL: approved returns not dropped off are reminded after
`reminder_days`, then expired after `expire_days`, each once, with two schedulers claiming at
the same time (FOR UPDATE SKIP LOCKED on the due index: no return handled twice)."""

from __future__ import annotations

import asyncio
import json
from datetime import timedelta

import asyncpg
from prometheus_client import CollectorRegistry

from suivi_aftersales.db.migrate import migrate
from suivi_aftersales.domain.policy import Line, OrderFacts, RequestedItem
from suivi_aftersales.handlers.returns import Returns
from suivi_aftersales.handlers.scheduler import Scheduler
from suivi_aftersales.metrics import AftersalesMetrics
from suivi_aftersales.testing.builders import T0, policy
from suivi_aftersales.testing.harness import SettableClock
from suivi_schemas.returns import ReturnMethod, ReturnState

N = 40


def order(n: int) -> OrderFacts:
    lines = {"l1": Line("l1", "Chemise lin", "SHIRT-M", 2)}
    return OrderFacts("atelier", f"A-{n}", False, T0, lines, "fr")


async def outbox_kinds(pool: asyncpg.Pool) -> list[str]:
    async with pool.acquire() as conn:
        bodies = await conn.fetch("SELECT body FROM aftersales_outbox ORDER BY seq")
    return [json.loads(bytes(b["body"]))["kind"] for b in bodies]


async def test_reminder_then_expiry_once_each_with_two_schedulers(pg_pool: asyncpg.Pool) -> None:
    async with pg_pool.acquire() as conn:
        await migrate(conn)
    clock = SettableClock(T0 + timedelta(days=1))
    returns = Returns(pg_pool, clock)
    await returns.set_policy("atelier", policy())
    made = []
    for n in range(N):
        item = [RequestedItem("l1", 1, "too_small")]
        ret = await returns.request(order(n), item, ReturnMethod.OWN_SHIPMENT, None, f"k{n}")
        made.append(await returns.approve("atelier", ret.return_id))
    metrics = AftersalesMetrics(CollectorRegistry())
    one = Scheduler(pg_pool, metrics, clock=clock, batch=7)
    two = Scheduler(pg_pool, metrics, clock=clock, batch=7)

    async def drain(scheduler: Scheduler) -> int:
        total = 0
        while changed := await scheduler.round():
            total += changed
        return total

    clock.advance(timedelta(days=6, hours=23))
    assert await drain(one) == 0  # not due yet
    clock.advance(timedelta(hours=1))
    assert sum(await asyncio.gather(drain(one), drain(two))) == N
    assert (await outbox_kinds(pg_pool)).count("reminder") == N
    clock.advance(timedelta(days=7))
    assert sum(await asyncio.gather(drain(one), drain(two))) == N
    kinds = await outbox_kinds(pg_pool)
    assert kinds.count("reminder") == N and kinds.count("expired") == N
    async with pg_pool.acquire() as conn:
        states = await conn.fetch("SELECT DISTINCT state, due_at FROM aftersales_returns")
    assert [(r["state"], r["due_at"]) for r in states] == [(ReturnState.EXPIRED.value, None)]
    clock.advance(timedelta(days=30))
    assert await drain(one) == 0
