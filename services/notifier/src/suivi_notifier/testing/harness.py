"""The notifier's decisions and sends wired as in production (real PostgreSQL, real protocol
peers), with a settable clock and an in-memory Kafka side: tests drive it step by step."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import asyncpg
import httpx
from prometheus_client import CollectorRegistry

from suivi_infra.merchants import MerchantDirectory
from suivi_notifier.bootstrap import Core, build_core
from suivi_notifier.db.migrate import migrate
from suivi_notifier.handlers.intake import BatchResult
from suivi_notifier.settings import NotifierSettings
from suivi_notifier.testing.events import Clock, MemoryKafka, Record, record
from suivi_schemas import OrderEvent, ShipmentAlert, ShipmentStatusEvent
from suivi_schemas.claims import ClaimEvent
from suivi_schemas.returns import ReturnEvent

Consumed = OrderEvent | ShipmentStatusEvent | ShipmentAlert | ReturnEvent | ClaimEvent


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

    def topic(self, event: Consumed) -> str:
        if isinstance(event, OrderEvent):
            return self.settings.orders_topic
        if isinstance(event, ShipmentAlert):
            return self.settings.alerts_topic
        if isinstance(event, ReturnEvent):
            return self.settings.returns_topic
        if isinstance(event, ClaimEvent):
            return self.settings.claims_topic
        return self.settings.status_topic

    def records(self, *events: Consumed) -> list[Record]:
        out = []
        for event in events:
            topic = self.topic(event)
            self._offset += 1
            out.append(record(topic, event, self._offset))
        return out

    async def feed(self, *events: Consumed) -> BatchResult:
        return await self.core.intake.process(self.records(*events))

    async def cycle(self, rounds: int = 3) -> None:
        """Runs the workers until they have nothing left to do now (at most `rounds` busy
        cycles): the alert and after-sales workers first (they write ledger rows), then the
        dispatcher."""
        for _ in range(rounds):
            planned = await self.core.alerts.run_once()
            planned += await self.core.aftersales.plan(self.clock())
            if not (await self.core.dispatcher.run_once()).full and not planned:
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


async def harness(
    settings: NotifierSettings,
    pool: asyncpg.Pool,
    clock: Clock,
    directory: MerchantDirectory | None = None,  # console records, applied by the test
) -> Harness:
    async with pool.acquire() as conn:
        await migrate(conn)
    kafka = MemoryKafka()
    registry = CollectorRegistry()
    http = httpx.AsyncClient()
    core = build_core(
        settings, pool, kafka, registry=registry, http=http, clock=clock, directory=directory
    )
    return Harness(settings, pool, core, kafka, clock, http, registry)
