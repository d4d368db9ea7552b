"""The scheduler: claim due trackings → call their source (register, poll, confirm, stop) →
publish a changed body → record the outcome and the next due time.

Nothing lost, nothing doubled: a claimed row carries a lease (pg_store). A body is published
(acks=all) before its outcome is recorded; a crash in between re-polls after the lease and
re-publishes the same event id. An unexpected error leaves the row to its lease.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

import asyncpg

from suivi_tracker.adapters import pg_store
from suivi_tracker.adapters.raw_out import PolledBody, RawPublisher
from suivi_tracker.domain import decide as d
from suivi_tracker.domain.changes import body_hash
from suivi_tracker.domain.model import Tracking
from suivi_tracker.domain.quota import allocate, priority
from suivi_tracker.domain.schedule import SchedulePolicy, next_due
from suivi_tracker.domain.sources import Mode, RateLimited, Source, SourceError, Unavailable
from suivi_tracker.domain.states import LIVE, State
from suivi_tracker.handlers.breakers import Breakers
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


def _defer_until(until: datetime, reason: str) -> Callable[[Tracking], d.Change]:
    return lambda t: d.deferred(t, until, reason)


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
        self.clock, self.rng = clock, rng
        self._calls = asyncio.Semaphore(config.concurrency)

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
        """One claim and its calls; returns how many trackings were claimed."""
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
        runnable = await self._ration(claimed, now)
        await asyncio.gather(*(self._guarded(c) for c in runnable))
        return len(claimed)

    async def _ration(
        self, claimed: list[pg_store.Claimed], now: datetime
    ) -> list[pg_store.Claimed]:
        """Defers calls to metered sources beyond their quota, best parcels first."""
        by_source: dict[str, list[pg_store.Claimed]] = {}
        runnable: list[pg_store.Claimed] = []
        for c in claimed:
            t = c.tracking
            if t.source in self.sources and d.due_action(t, now, self.policy) in CALLS:
                by_source.setdefault(t.source or "", []).append(c)
            else:
                runnable.append(c)
        for name, items in by_source.items():
            try:
                left = await self.sources[name].quota_left()
            except SourceError:
                left = None  # the quota call failing is not a reason to stop polling
            if left is not None:
                self.metrics.quota_left.labels(name).set(left)
            served, deferred = allocate(
                items, left, self.config.quota_reserve, lambda c: priority(c.tracking)
            )
            runnable += served
            later = _defer_until(now + self.config.quota_defer, "quota")
            for c in deferred:
                self.metrics.deferred.labels(name, "quota").inc()
                await self._finish(c, later, polled=False)
        return runnable

    async def _guarded(self, c: pg_store.Claimed) -> None:
        try:
            await self.handle(c)
        except Exception as exc:  # left to its lease: due again, never lost
            self.metrics.round_failures.inc()
            log.error("tracking %s not handled (%s)", c.tracking.id, type(exc).__name__)

    async def _finish(
        self, c: pg_store.Claimed, decide: Callable[[Tracking], d.Change], *, polled: bool
    ) -> None:
        done = await pg_store.finish(self.pool, c, decide, self.clock(), polled=polled)
        if done is None:
            self.metrics.leases_lost.inc()
            return
        if done.unregister:
            await self._unregister(c.tracking)

    async def handle(self, c: pg_store.Claimed) -> None:
        t, now = c.tracking, self.clock()
        source = self.sources.get(t.source or "")
        if source is None:  # the source was removed from the configuration
            change = d.Change(State.UNSUPPORTED, None, error="source_not_configured")
            await self._finish(c, lambda _: change, polled=False)
            return
        action = d.due_action(t, now, self.policy)
        if action is d.Action.EXPIRE:
            await self._finish(c, lambda f: d.finished(f, State.EXPIRED), polled=False)
            return
        if action is d.Action.STOP:
            await self._finish(c, lambda f: d.finished(f, State.STOPPED), polled=False)
            return
        if action is d.Action.RESCHEDULE:
            await self._finish(c, self._rescheduled, polled=False)
            return
        async with self._calls:
            # Asked with a call slot in hand: calls queued behind a failing one see it open.
            if not self.breakers.allow(source.name, self.clock()):
                self.metrics.deferred.labels(source.name, "circuit_open").inc()
                until = self.breakers.reopens_at(source.name) or now + self.policy.retry_base
                later = _defer_until(until, "circuit_open")
                await self._finish(c, later, polled=False)
                return
            if action is d.Action.REGISTER:
                await self._register(c, source)
            else:
                await self._poll(c, source, confirm=action is d.Action.CONFIRM)

    def _rescheduled(self, fresh: Tracking) -> d.Change:
        when = next_due(fresh, self.clock(), self.policy, self.rng)
        return d.Change(fresh.state, when, fresh.failures, body_hash=fresh.body_hash)

    async def _call_failed(self, source: Source, action: str, exc: SourceError) -> None:
        temporary = isinstance(exc, RateLimited | Unavailable)
        if temporary:
            self.breakers.failure(source.name, self.clock())
        else:
            self.breakers.success(source.name)  # it answered: the source itself is fine
        if isinstance(exc, RateLimited):
            self.metrics.rate_limited.labels(source.name).inc()
            self.metrics.rate_limit_seconds.labels(source.name).inc(exc.retry_after or 0.0)
        outcome = type(exc).__name__.lower()
        self.metrics.polls.labels(source.name, action, outcome).inc()

    async def _register(self, c: pg_store.Claimed, source: Source) -> None:
        t = c.tracking
        try:
            registered = await asyncio.wait_for(
                source.register(t.ref()), self.config.call_timeout_seconds
            )
        except TimeoutError:
            await self._failed(c, source, "register", Unavailable("timeout"))
            return
        except SourceError as exc:
            await self._failed(c, source, "register", exc)
            return
        self.breakers.success(source.name)
        self.metrics.polls.labels(source.name, "register", "ok").inc()
        ref = registered.source_ref or f"registered:{source.name}"
        now = self.clock()
        await self._finish(
            c,
            lambda f: d.after_success(f, now, self.policy, self.rng, source_ref=ref),
            polled=False,
        )

    async def _failed(
        self, c: pg_store.Claimed, source: Source, action: str, exc: SourceError
    ) -> None:
        await self._call_failed(source, action, exc)
        if action == "register":
            self.metrics.registrations_failed.labels(source.name, "register").inc()
        now = self.clock()
        await self._finish(
            c, lambda f: d.after_failure(f, exc, now, self.policy, self.rng), polled=True
        )

    async def _poll(self, c: pg_store.Claimed, source: Source, *, confirm: bool) -> None:
        t = c.tracking
        action = "confirm" if confirm else "poll"
        try:
            polled = await asyncio.wait_for(source.poll(t.ref()), self.config.call_timeout_seconds)
        except TimeoutError:
            await self._failed(c, source, action, Unavailable("timeout"))
            return
        except SourceError as exc:
            await self._failed(c, source, action, exc)
            return
        self.breakers.success(source.name)
        now = self.clock()
        digest = body_hash(polled.body) if polled.found else None
        changed = digest is not None and digest != t.body_hash
        if changed and digest is not None:
            await self.publisher.publish(
                [PolledBody(t.tracking_number, source.name, polled, digest, now)]
            )
            self.metrics.published.labels(source.name).inc()
        outcome = "changed" if changed else ("unchanged" if polled.found else "not_found")
        self.metrics.polls.labels(source.name, action, outcome).inc()

        def decided(fresh: Tracking) -> d.Change:
            if confirm:
                return replace(
                    d.finished(fresh, State.STOPPED),
                    success=True,
                    body_hash=digest or fresh.body_hash,
                )
            return d.after_success(
                fresh, now, self.policy, self.rng, found=polled.found, body_hash=digest
            )

        await self._finish(c, decided, polled=True)

    async def _unregister(self, t: Tracking) -> None:
        source = self.sources.get(t.source or "")
        if source is None:
            return
        try:
            await asyncio.wait_for(source.unregister(t.ref()), self.config.call_timeout_seconds)
        except (SourceError, TimeoutError) as exc:
            # Best effort: the aggregator's own expiry ends pushes nobody reads any more.
            self.metrics.registrations_failed.labels(source.name, "unregister").inc()
            log.warning("unregister at %s failed (%s)", source.name, type(exc).__name__)
