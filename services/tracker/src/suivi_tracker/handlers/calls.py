"""One claimed tracking → what its due action needs from its source, as an `Outcome` (the
decision to record, and the changed body to publish first). No write here: the round records
every outcome of a batch in one transaction (handlers/rounds.py)."""

from __future__ import annotations

import asyncio
import random
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime

from suivi_tracker.adapters import pg_store
from suivi_tracker.adapters.raw_out import PolledBody
from suivi_tracker.domain import decide as d
from suivi_tracker.domain.changes import body_hash
from suivi_tracker.domain.model import Tracking
from suivi_tracker.domain.schedule import SchedulePolicy, next_due
from suivi_tracker.domain.sources import RateLimited, Source, SourceError, Unavailable
from suivi_tracker.domain.states import State
from suivi_tracker.handlers.breakers import Breakers
from suivi_tracker.metrics import TrackerMetrics

Clock = Callable[[], datetime]
Decide = Callable[[Tracking], d.Change]


@dataclass(frozen=True, slots=True)
class Outcome:
    claimed: pg_store.Claimed
    decide: Decide  # applied to the row as it is when recorded (a status may have arrived)
    polled: bool = False  # a call was made: counts as a poll
    body: PolledBody | None = None  # changed: published before the outcome is recorded


def deferred_until(until: datetime, reason: str) -> Decide:
    return lambda t: d.deferred(t, until, reason)


class Caller:
    """Calls a source for one due tracking, guarded by the source's circuit breaker."""

    def __init__(
        self,
        sources: Mapping[str, Source],
        metrics: TrackerMetrics,
        breakers: Breakers,
        policy: SchedulePolicy,
        *,
        concurrency: int,
        call_timeout_seconds: float,
        clock: Clock,
        rng: random.Random,
    ) -> None:
        self.sources, self.metrics, self.breakers, self.policy = sources, metrics, breakers, policy
        self.timeout, self.clock, self.rng = call_timeout_seconds, clock, rng
        self._slots = asyncio.Semaphore(concurrency)

    async def outcome(self, c: pg_store.Claimed) -> Outcome:
        t, now = c.tracking, self.clock()
        source = self.sources.get(t.source or "")
        if source is None:  # the source was removed from the configuration
            gone = d.Change(State.UNSUPPORTED, None, error="source_not_configured")
            return Outcome(c, lambda _: gone)
        action = d.due_action(t, now, self.policy)
        if action is d.Action.EXPIRE:
            return Outcome(c, lambda f: d.finished(f, State.EXPIRED))
        if action is d.Action.STOP:
            return Outcome(c, lambda f: d.finished(f, State.STOPPED))
        if action is d.Action.RESCHEDULE:
            return Outcome(c, self._rescheduled)
        async with self._slots:
            # Asked with a call slot in hand: calls queued behind a failing one see it open.
            if not self.breakers.allow(source.name, self.clock()):
                self.metrics.deferred.labels(source.name, "circuit_open").inc()
                until = self.breakers.reopens_at(source.name) or now + self.policy.retry_base
                return Outcome(c, deferred_until(until, "circuit_open"))
            if action is d.Action.REGISTER:
                return await self._register(c, source)
            return await self._poll(c, source, confirm=action is d.Action.CONFIRM)

    def _rescheduled(self, fresh: Tracking) -> d.Change:
        when = next_due(fresh, self.clock(), self.policy, self.rng)
        return d.Change(fresh.state, when, fresh.failures, body_hash=fresh.body_hash)

    def _failed(
        self, c: pg_store.Claimed, source: Source, action: str, exc: SourceError
    ) -> Outcome:
        if isinstance(exc, RateLimited | Unavailable):
            self.breakers.failure(source.name, self.clock())
        else:
            self.breakers.success(source.name)  # it answered: the source itself is fine
        if isinstance(exc, RateLimited):
            self.metrics.rate_limited.labels(source.name).inc()
            self.metrics.rate_limit_seconds.labels(source.name).inc(exc.retry_after or 0.0)
        if action == "register":
            self.metrics.registrations_failed.labels(source.name, "register").inc()
        self.metrics.polls.labels(source.name, action, type(exc).__name__.lower()).inc()
        now = self.clock()
        return Outcome(c, lambda f: d.after_failure(f, exc, now, self.policy, self.rng), True)

    async def _register(self, c: pg_store.Claimed, source: Source) -> Outcome:
        try:
            registered = await asyncio.wait_for(source.register(c.tracking.ref()), self.timeout)
        except TimeoutError:
            return self._failed(c, source, "register", Unavailable("timeout"))
        except SourceError as exc:
            return self._failed(c, source, "register", exc)
        self.breakers.success(source.name)
        self.metrics.polls.labels(source.name, "register", "ok").inc()
        ref = registered.source_ref or f"registered:{source.name}"
        now = self.clock()
        return Outcome(c, lambda f: d.after_success(f, now, self.policy, self.rng, source_ref=ref))

    async def _poll(self, c: pg_store.Claimed, source: Source, *, confirm: bool) -> Outcome:
        t = c.tracking
        action = "confirm" if confirm else "poll"
        try:
            polled = await asyncio.wait_for(source.poll(t.ref()), self.timeout)
        except TimeoutError:
            return self._failed(c, source, action, Unavailable("timeout"))
        except SourceError as exc:
            return self._failed(c, source, action, exc)
        self.breakers.success(source.name)
        now = self.clock()
        digest = body_hash(polled.body) if polled.found else None
        changed = digest is not None and digest != t.body_hash
        body = (
            PolledBody(t.tracking_number, source.name, polled, digest, now)
            if changed and digest
            else None
        )
        outcome = "changed" if changed else ("unchanged" if polled.found else "not_found")
        self.metrics.polls.labels(source.name, action, outcome).inc()

        def decided(fresh: Tracking) -> d.Change:
            if confirm:
                stopped = d.finished(fresh, State.STOPPED)
                return replace(stopped, success=True, body_hash=digest or fresh.body_hash)
            return d.after_success(
                fresh, now, self.policy, self.rng, found=polled.found, body_hash=digest
            )

        return Outcome(c, decided, polled=True, body=body)

    async def unregister(self, t: Tracking) -> None:
        """Best effort: the aggregator's own expiry ends pushes nobody reads any more."""
        source = self.sources.get(t.source or "")
        if source is None:
            return
        try:
            await asyncio.wait_for(source.unregister(t.ref()), self.timeout)
        except (SourceError, TimeoutError):
            self.metrics.registrations_failed.labels(source.name, "unregister").inc()
