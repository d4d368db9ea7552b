"""The scheduler: claim due trackings → call their sources (register, poll, confirm, stop) →
publish the changed bodies → record every outcome and next due time, in one transaction.

Nothing lost, nothing doubled: a claimed row carries a lease (pg_store). Bodies are published
(acks=all) before their outcomes are recorded; a crash in between re-polls after the lease and
re-publishes the same event ids. An unexpected error leaves its rows to their lease.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

import asyncpg

from suivi_tracker.adapters import pg_store
from suivi_tracker.adapters.raw_out import RawPublisher
from suivi_tracker.domain import decide as d
from suivi_tracker.domain.quota import allocate, priority
from suivi_tracker.domain.schedule import SchedulePolicy
from suivi_tracker.domain.sources import Mode, Source, SourceError
from suivi_tracker.domain.states import LIVE
from suivi_tracker.handlers.breakers import Breakers
from suivi_tracker.handlers.calls import Caller, Outcome, deferred_until
from suivi_tracker.metrics import TrackerMetrics

log = logging.getLogger(__name__)
Clock = Callable[[], datetime]
CALLS = (d.Action.REGISTER, d.Action.POLL, d.Action.CONFIRM)


@dataclass(frozen=True, slots=True)
class RoundConfig:
    batch: int = 100  # trackings claimed per round
    lease_seconds: float = 120.0  # a claimed row is due again after this (crash, kill -9)
    concurrency: int = 16  # calls in flight per instance
    idle_seconds: float = 1.0  # wait when a round found less than a full batch
    call_timeout_seconds: float = 30.0  # below the lease: an outcome lands before it expires
    quota_reserve: int = 50  # metered sources: calls kept for parcels in transit
    quota_defer: timedelta = timedelta(hours=1)


class Scheduler:
    def __init__(
        self,
        pool: asyncpg.Pool,
        sources: Mapping[str, Source],
        publisher: RawPublisher,
        metrics: TrackerMetrics,
        breakers: Breakers,
        policy: SchedulePolicy,
        config: RoundConfig,
        *,
        clock: Clock,
        rng: random.Random,
    ) -> None:
        self.pool, self.sources, self.publisher = pool, sources, publisher
        self.metrics, self.breakers, self.policy, self.config = metrics, breakers, policy, config
        self.clock = clock
        self.caller = Caller(
            sources, metrics, breakers, policy, concurrency=config.concurrency,
            call_timeout_seconds=config.call_timeout_seconds, clock=clock, rng=rng,
        )  # fmt: skip

    async def run(self, stop: asyncio.Event) -> None:
        """Rounds until `stop`; a failing round is counted, logged and retried."""
        while not stop.is_set():
            try:
                handled = await self.round()
            except Exception as exc:
                self.metrics.round_failures.inc()
                log.error("scheduler round failed (%s)", type(exc).__name__)
                handled = 0
            if handled < self.config.batch:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), self.config.idle_seconds)

    async def round(self) -> int:
        """One claim, its calls, its publication and its outcomes; returns how many trackings
        were claimed."""
        now = self.clock()
        started = time.perf_counter()
        async with self.pool.acquire() as conn:
            claimed = await pg_store.claim(conn, now, self.config.batch, self.config.lease_seconds)
        self.metrics.claim_seconds.observe(time.perf_counter() - started)
        self.metrics.claimed.inc(len(claimed))
        for c in claimed:
            # Polled ones only: a pushed tracking is claimed only for its expiry check, and
            # its silence then says nothing about how fresh the tracker keeps parcels.
            if c.tracking.state in LIVE and c.tracking.mode is Mode.POLL:
                age = (now - c.tracking.heard_at()).total_seconds()
                self.metrics.freshness.labels(c.tracking.source or "").observe(max(age, 0.0))
        runnable, outcomes = await self._ration(claimed, now)
        for done in await asyncio.gather(*(self._guarded(c) for c in runnable)):
            if done is not None:  # None: left to its lease
                outcomes.append(done)
        await self._record(outcomes)
        return len(claimed)

    async def _ration(
        self, claimed: list[pg_store.Claimed], now: datetime
    ) -> tuple[list[pg_store.Claimed], list[Outcome]]:
        """Defers calls to metered sources beyond their quota, best parcels first."""
        by_source: dict[str, list[pg_store.Claimed]] = {}
        runnable: list[pg_store.Claimed] = []
        deferred: list[Outcome] = []
        for c in claimed:
            t = c.tracking
            if t.source in self.sources and d.due_action(t, now, self.policy) in CALLS:
                by_source.setdefault(t.source or "", []).append(c)
            else:
                runnable.append(c)
        later = deferred_until(now + self.config.quota_defer, "quota")
        for name, items in by_source.items():
            try:
                left = await self.sources[name].quota_left()
            except SourceError:
                left = None  # the quota call failing is not a reason to stop polling
            if left is not None:
                self.metrics.quota_left.labels(name).set(left)
            served, waiting = allocate(
                items, left, self.config.quota_reserve, lambda c: priority(c.tracking)
            )
            runnable += served
            self.metrics.deferred.labels(name, "quota").inc(len(waiting))
            deferred += [Outcome(c, later) for c in waiting]
        return runnable, deferred

    async def _guarded(self, c: pg_store.Claimed) -> Outcome | None:
        try:
            return await self.caller.outcome(c)
        except Exception as exc:  # left to its lease: due again, never lost
            self.metrics.round_failures.inc()
            log.error("tracking %s not handled (%s)", c.tracking.id, type(exc).__name__)
            return None

    async def _record(self, outcomes: list[Outcome]) -> None:
        bodies = [o.body for o in outcomes if o.body is not None]
        if bodies:  # before the outcomes: a crash in between re-publishes the same events
            await self.publisher.publish(bodies)
            for body in bodies:
                self.metrics.published.labels(body.source).inc()
        results = await pg_store.finish_many(
            self.pool, [(o.claimed, o.decide, o.polled) for o in outcomes], self.clock()
        )
        for outcome, change in zip(outcomes, results, strict=True):
            if change is None:
                self.metrics.leases_lost.inc()
            elif change.unregister:
                await self.caller.unregister(outcome.claimed.tracking)
