"""A return parcel's number attached while its first scan is being consumed, many times over on
PostgreSQL: every return ends dropped off (the per-parcel lock orders the two; without it, some
scans would be applied before the number is visible and the returns would stay approved)."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import timedelta

import asyncpg
from prometheus_client import CollectorRegistry
from pydantic import SecretStr

from suivi_aftersales.db.migrate import migrate
from suivi_aftersales.domain.policy import Line, OrderFacts, RequestedItem
from suivi_aftersales.handlers.intake import Intake, Topics
from suivi_aftersales.handlers.returns import Returns
from suivi_aftersales.metrics import AftersalesMetrics
from suivi_aftersales.testing.builders import T0, policy, status_event
from suivi_aftersales.testing.harness import SettableClock
from suivi_infra.dlq import DeadLetterQueue
from suivi_infra.testing import RecordingSink
from suivi_schemas.returns import ReturnMethod, ReturnState
from suivi_schemas.status import ShipmentStatus

ROUNDS = 30


@dataclass
class Record:
    topic: str
    value: bytes
    partition: int = 0
    offset: int = 0
    key: bytes | None = None
    headers: list[tuple[str, bytes]] = field(default_factory=list)


async def test_attach_racing_the_first_scan_never_loses_it(pg_pool: asyncpg.Pool) -> None:
    async with pg_pool.acquire() as conn:
        await migrate(conn)
    clock = SettableClock(T0 + timedelta(days=1))
    returns = Returns(pg_pool, clock)
    await returns.set_policy("atelier", policy())
    metrics = AftersalesMetrics(CollectorRegistry())
    intake = Intake(
        pg_pool, Topics("orders", "status"), SecretStr("k" * 40), metrics,
        DeadLetterQueue(RecordingSink(), "dlq"), clock=clock,
    )  # fmt: skip
    lines = {"l1": Line("l1", "Chemise", "S", 1)}
    ids = []
    for n in range(ROUNDS):
        order = OrderFacts("atelier", f"A-{n}", False, T0, lines, "fr")
        item = [RequestedItem("l1", 1, "too_small")]
        ret = await returns.request(order, item, ReturnMethod.OWN_SHIPMENT, None, f"k{n}")
        ids.append((await returns.approve("atelier", ret.return_id)).return_id)

    async def race(n: int, return_id: str) -> None:
        number = f"6A{n:011d}"
        scan = status_event(number, ShipmentStatus.IN_TRANSIT, T0 + timedelta(hours=n))
        record = Record("status", scan.model_dump_json().encode())
        await asyncio.gather(
            intake.process([record]), returns.attach("atelier", return_id, "laposte", number)
        )

    await asyncio.gather(*(race(n, rid) for n, rid in enumerate(ids)))
    async with pg_pool.acquire() as conn:
        states = await conn.fetch("SELECT state FROM aftersales_returns")
    assert {r["state"] for r in states} == {ReturnState.DROPPED_OFF.value}
