"""The notifier's decisions and sends wired as in production (real PostgreSQL, real protocol
peers), with a settable clock and an in-memory Kafka side: tests drive it step by step."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import asyncpg
import httpx
from prometheus_client import CollectorRegistry

from suivi_notifier.bootstrap import Core, build_core
from suivi_notifier.migrate import migrate
from suivi_notifier.pipeline import BatchResult
from suivi_notifier.settings import NotifierSettings
from suivi_notifier.testing.events import Clock, MemoryKafka, Record, record
from suivi_schemas import OrderEvent, ShipmentStatusEvent


@dataclass
class Harness:
    settings: NotifierSettings
    pool: asyncpg.Pool
    core: Core
    kafka: MemoryKafka
    clock: Clock
    http: httpx.AsyncClient
    registry: CollectorRegistry
    _offset: int = 0

    def records(self, *events: OrderEvent | ShipmentStatusEvent) -> list[Record]:
        out = []
        for event in events:
            topic = (
                self.settings.orders_topic
                if isinstance(event, OrderEvent)
                else self.settings.status_topic
            )
            self._offset += 1
            out.append(record(topic, event, self._offset))
        return out

    async def feed(self, *events: OrderEvent | ShipmentStatusEvent) -> BatchResult:
        return await self.core.intake.process(self.records(*events))

    async def cycle(self, rounds: int = 3) -> None:
        """Runs the worker until it has nothing left to do now (at most `rounds` busy cycles)."""
        for _ in range(rounds):
            if not (await self.core.dispatcher.run_once()).full:
                return

    async def settle(self, seconds: float | None = None) -> None:
        """Lets the debounce window pass, then runs the worker."""
        self.clock.advance(
            seconds=seconds if seconds is not None else self.settings.debounce_seconds + 1
        )
        await self.cycle()

    def metric(self, name: str, labels: dict[str, str] | None = None) -> float:
        return self.registry.get_sample_value(name, labels or {}) or 0.0

    async def ledger(self) -> Sequence[asyncpg.Record]:
        async with self.pool.acquire() as conn:
            rows: Sequence[asyncpg.Record] = await conn.fetch(
                "SELECT * FROM notifier_deliveries ORDER BY id"
            )
        return rows

    async def close(self) -> None:
        await self.http.aclose()


async def harness(settings: NotifierSettings, pool: asyncpg.Pool, clock: Clock) -> Harness:
    async with pool.acquire() as conn:
        await migrate(conn)
    kafka = MemoryKafka()
    registry = CollectorRegistry()
    http = httpx.AsyncClient()
    core = build_core(settings, pool, kafka, registry=registry, http=http, clock=clock)
    return Harness(settings, pool, core, kafka, clock, http, registry)
