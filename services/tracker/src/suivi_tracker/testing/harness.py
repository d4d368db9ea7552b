"""Test and bench support: a settable clock, due trackings generated in one INSERT … SELECT,
and schedulers built on a pool with any sources."""

from __future__ import annotations

import random
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import asyncpg
from prometheus_client import CollectorRegistry

from suivi_infra.records import RecordSink
from suivi_infra.testing import RecordingSink
from suivi_tracker.adapters.raw_out import RawPublisher
from suivi_tracker.domain.circuit import CircuitPolicy
from suivi_tracker.domain.schedule import SchedulePolicy
from suivi_tracker.domain.sources import Source
from suivi_tracker.handlers.breakers import Breakers
from suivi_tracker.handlers.rounds import RoundConfig, Scheduler
from suivi_tracker.metrics import TrackerMetrics

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@dataclass
class SettableClock:
    now: datetime = T0

    def __call__(self) -> datetime:
        return self.now

    def advance(self, delta: timedelta) -> None:
        self.now += delta


async def insert_due(
    conn: asyncpg.Connection,
    n: int,
    due_at: datetime,
    *,
    source: str = "fake",
    mode: str = "poll",
    carrier: str = "laposte",
    state: str = "active",
    status: str | None = "in_transit",
    created_at: datetime | None = None,
    prefix: str = "6A",
) -> None:
    """`n` trackings due at `due_at`, numbered `<prefix>000000000001`…, in one statement."""
    await conn.execute(
        """
        INSERT INTO trackings (carrier, tracking_number, state, source, mode, last_status,
            last_event_at, next_due_at, created_at, updated_at)
        SELECT $1, $2 || lpad(i::text, 11, '0'), $3, $4, $5, $6, $7, $8, $7, $7
        FROM generate_series(1, $9) AS i
        """,
        carrier, prefix, state, source, mode, status, created_at or due_at, due_at, n,
    )  # fmt: skip


@dataclass
class Built:
    scheduler: Scheduler
    sink: RecordSink
    metrics: TrackerMetrics
    registry: CollectorRegistry = field(default_factory=CollectorRegistry)


def build_scheduler(
    pool: asyncpg.Pool,
    sources: Mapping[str, Source],
    clock: SettableClock,
    *,
    sink: RecordSink | None = None,
    topic: str = "tracking.raw.v1",
    config: RoundConfig | None = None,
    policy: SchedulePolicy | None = None,
    circuit: CircuitPolicy | None = None,
    seed: int = 1,
) -> Built:
    registry = CollectorRegistry()
    metrics = TrackerMetrics(registry)
    sink = sink or RecordingSink()
    scheduler = Scheduler(
        pool, sources, RawPublisher(sink, topic, "test"), metrics,
        Breakers(circuit or CircuitPolicy(), metrics), policy or SchedulePolicy(),
        config or RoundConfig(), clock=clock, rng=random.Random(seed),  # noqa: S311 - jitter
    )  # fmt: skip
    return Built(scheduler, sink, metrics, registry)
