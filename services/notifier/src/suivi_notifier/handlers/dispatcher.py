"""The worker loop: due triggers → ledger rows → sends → recorded outcomes → results topic.

Each cycle: (1) shipments whose debounce window ended and whose order is known get one ledger
row per channel (older pending rows of the same shipment and channel are superseded); (2) due
rows are claimed (attempt counted, lease taken, committed) and sent concurrently, each send
bounded by a timeout, so a slow or failing peer delays no other shipment; (3) each outcome is
recorded with its NotificationResult in the outbox; (4) the outbox goes to Kafka.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol

import asyncpg

from suivi_notifier.adapters import pg_alerts, pg_claims, pg_ledger, pg_outbox
from suivi_notifier.adapters.pg_ledger import Delivery
from suivi_notifier.domain.alerts import alert_kind
from suivi_notifier.domain.outcomes import Permanent, PushOutcome, SendOutcome, Sent, Transient
from suivi_notifier.domain.planning import Gate, GateAction, gate
from suivi_notifier.domain.schedule import settle
from suivi_notifier.domain.triggers import TriggerPolicy
from suivi_notifier.handlers.attempts import DispatchConfig, bounded
from suivi_notifier.handlers.channels import Channels, Job
from suivi_notifier.handlers.materialize import Materializer, count
from suivi_notifier.handlers.materialize import delivery_result as _result
from suivi_notifier.metrics import NotifierMetrics
from suivi_schemas import Channel, NotificationResult, Outcome

log = logging.getLogger(__name__)


class ResultSink(Protocol):
    async def publish_results(
        self, records: list[pg_outbox.OutboxRecord]
    ) -> list[Awaitable[Any]]: ...


@dataclass(slots=True)
class Cycle:
    materialized: int = 0
    sent: int = 0
    published: int = 0

    @property
    def full(self) -> bool:
        return bool(self.materialized or self.sent or self.published)


class Dispatcher:
    def __init__(
        self,
        pool: asyncpg.Pool,
        channels: Channels,
        results: ResultSink,
        metrics: NotifierMetrics,
        policy: TriggerPolicy,
        config: DispatchConfig,
        *,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        rng: random.Random | None = None,
    ) -> None:
        self.pool = pool
        self.channels = channels
        self.results = results
        self.metrics = metrics
        self.policy = policy
        self.config = config
        self.clock = clock
        self.rng = rng or random.Random()  # noqa: S311 - jitter, not secrecy
        self.materializer = Materializer(policy, channels.capabilities, config.max_age)
        self._gauge_at = 0.0

    async def run(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            try:
                busy = (await self.run_once()).full
            except Exception:
                log.exception("dispatch cycle failed; trying again")
                busy = False
            if not busy:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), self.config.poll_interval)

    async def run_once(self) -> Cycle:
        cycle = Cycle()
        cycle.materialized = await self.materialize(self.clock())
        cycle.sent = await self.dispatch(self.clock())
        cycle.published = await self.publish_results()
        if time.monotonic() - self._gauge_at > 5:
            await self.refresh_gauge()
        return cycle

    async def materialize(self, now: datetime) -> int:
        async with self.pool.acquire() as conn, conn.transaction():
            done = await self.materializer.due(conn, now, self.config.batch)
        count(self.metrics, done)
        return len(done)

    async def dispatch(self, now: datetime) -> int:
        # The claiming session stays open until the sends are recorded: it holds the claims
        # (pg_claims.lease), so if this process dies PostgreSQL lets them go at once.
        async with self.pool.acquire() as conn:
            jobs, notes = await self._claim(conn, now)
            for d, outcome in notes:
                self.metrics.message(d.channel.value, d.trigger, outcome)
            if jobs:
                limit = asyncio.Semaphore(self.config.concurrency)
                await asyncio.gather(*(self._send(job, limit) for job in jobs))
                await pg_claims.release(conn, [job.delivery.id for job in jobs])
        return len(jobs)

    async def _claim(
        self, conn: asyncpg.Connection, now: datetime
    ) -> tuple[list[Job], list[tuple[Delivery, str]]]:
        """The due rows, each skipped, deferred or claimed for a send, in one transaction."""
        jobs: list[Job] = []
        notes: list[tuple[Delivery, str]] = []
        async with conn.transaction():
            outbox: list[NotificationResult] = []
            for d in await pg_claims.claimable(conn, now, self.config.batch):
                recipient = await pg_ledger.recipient_for_delivery(conn, d)
                decision = gate(
                    d.channel,
                    recipient,
                    capabilities=self.channels.capabilities,
                    quiet=self.config.quiet,
                    now=now,
                )
                targets: tuple[pg_ledger.PushTarget, ...] = ()
                if decision.action is GateAction.SEND and d.channel is Channel.PUSH:
                    targets = tuple(
                        await pg_ledger.push_targets(
                            conn, d.merchant_id, d.order_number, d.push_done
                        )
                    )
                    if not targets:  # every subscription removed since the row was written
                        decision = Gate(GateAction.SKIP, "no_subscription")
                alert = None
                if decision.action is GateAction.SEND and alert_kind(d.trigger) is not None:
                    alert = await pg_alerts.alert(conn, d.source_event_id)  # what it says
                if decision.action is GateAction.SKIP:
                    reason = decision.reason or "skipped"
                    await pg_ledger.set_state(conn, d.id, "skipped", now, error=reason)
                    outbox.append(_result(d, Outcome.SKIPPED, d.attempts, now, reason))
                    notes.append((d, "skipped"))
                elif decision.action is GateAction.DEFER:
                    await pg_ledger.set_state(
                        conn,
                        d.id,
                        "pending",
                        now,
                        next_attempt_at=decision.until,
                        error=decision.reason,
                    )
                    outbox.append(_result(d, Outcome.DEFERRED, d.attempts, now, decision.reason))
                    notes.append((d, "deferred"))
                else:
                    assert recipient is not None
                    until = now + self.config.lease
                    attempt = await pg_claims.lease(conn, d.id, until, now)
                    if attempt is not None:  # else a live session still holds it
                        jobs.append(Job(d, attempt, recipient, targets, alert))
            await pg_outbox.add(conn, outbox, now)
        return jobs, notes

    async def _send(self, job: Job, limit: asyncio.Semaphore) -> None:
        channel = job.delivery.channel.value
        async with limit:
            started = time.perf_counter()
            outcome = await bounded(
                self.channels.send(job, self.clock()), self.config.send_timeout, channel,
                f"delivery {job.delivery.id}",
            )  # fmt: skip
            self.metrics.send_seconds.labels(channel).observe(time.perf_counter() - started)
        try:
            await self.record(job, outcome, self.clock())
        except Exception:
            # The lease expires and the row is claimed again: at-least-once, never lost.
            log.exception("could not record the outcome of delivery %d", job.delivery.id)

    async def record(self, job: Job, sent: SendOutcome | PushOutcome, now: datetime) -> None:
        d = job.delivery
        push = sent if isinstance(sent, PushOutcome) else None
        outcome: SendOutcome = sent.outcome if isinstance(sent, PushOutcome) else sent
        done = (push.done + push.gone) if push is not None else ()
        metric: str | None = None
        async with self.pool.acquire() as conn, conn.transaction():
            current = await pg_ledger.current(conn, d.id)
            if current is None:
                return
            state, attempts = current
            ours = state == "pending" and attempts == job.attempt
            settled = settle(
                outcome, state=state, ours=ours, attempt=job.attempt, now=now,
                policy=self.config, rng=self.rng,
            )  # fmt: skip
            provider_id = outcome.provider_id if isinstance(outcome, Sent) else None
            await pg_ledger.set_state(
                conn, d.id, settled.state, now, next_attempt_at=settled.next_attempt_at,
                error=settled.error, provider_id=provider_id, push_done=done,
            )  # fmt: skip
            results: list[NotificationResult] = []
            if settled.outcome is not None:
                results.append(_result(d, settled.outcome, job.attempt, now, settled.error))
                metric = settled.metric
            if push is not None:
                await pg_ledger.remove_push_subscriptions(conn, push.gone)
            await pg_outbox.add(conn, results, now)
        if push is not None and push.gone:
            self.metrics.push_gone.inc(len(push.gone))
        if metric is not None:
            self.metrics.message(d.channel.value, d.trigger, metric)
            error = outcome.error if isinstance(outcome, Transient | Permanent) else "-"
            log.info(
                "%s %s/%s for %s: %s (delivery %d, attempt %d, %s)",
                d.channel.value, d.trigger, d.merchant_id, d.shipment_key, metric, d.id,
                job.attempt, error,
            )  # fmt: skip

    async def publish_results(self) -> int:
        async with self.pool.acquire() as conn, conn.transaction():
            records = await pg_outbox.take(conn, 500)
            if not records:
                return 0
            for ack in await self.results.publish_results(records):
                await ack
            await pg_outbox.delete(conn, [r.id for r in records])
        self.metrics.results_published.inc(len(records))
        return len(records)

    async def refresh_gauge(self) -> None:
        async with self.pool.acquire() as conn:
            waiting = await pg_ledger.waiting_retries(conn)
        for channel in ("email", "sms", "push"):
            self.metrics.pending_retries.labels(channel).set(waiting.get(channel, 0))
        self._gauge_at = time.monotonic()
