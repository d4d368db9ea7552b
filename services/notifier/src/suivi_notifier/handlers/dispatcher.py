"""The worker loop: due triggers → ledger rows → sends → recorded outcomes → results topic.

Each cycle: (1) shipments whose debounce window ended and whose order is known get one ledger
row per channel (older pending rows of the same shipment and channel are superseded); (2) due
rows are claimed (attempt counted, lease taken, committed) and sent concurrently, each send
bounded by a timeout, so a slow or failing peer delays no other shipment; (3) each outcome is
recorded with its NotificationResult in the outbox; (4) the outbox goes to Kafka.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any, Protocol

import asyncpg

from suivi_notifier.adapters import pg_aftersales, pg_claims, pg_dispatch, pg_ledger, pg_outbox
from suivi_notifier.adapters.pg_dispatch import NewState
from suivi_notifier.adapters.pg_ledger import Delivery, PushTarget
from suivi_notifier.domain.aftersales import aftersales_stream
from suivi_notifier.domain.alerts import alert_kind
from suivi_notifier.domain.merchant_settings import CHANNEL_OFF, channel_off, quiet_hours
from suivi_notifier.domain.outcomes import Permanent, PushOutcome, SendOutcome, Sent, Transient
from suivi_notifier.domain.planning import Gate, GateAction, Recipient, gate
from suivi_notifier.domain.schedule import settle
from suivi_notifier.domain.triggers import TriggerPolicy
from suivi_notifier.handlers.attempts import DispatchConfig, bounded, run_until
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
        async def busy() -> bool:
            return (await self.run_once()).full

        await run_until(stop, busy, self.config.poll_interval, "dispatch")

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
                await self._send_all(jobs)
                await pg_claims.release(conn, [job.delivery.id for job in jobs])
        return len(jobs)

    async def _claim(
        self, conn: asyncpg.Connection, now: datetime
    ) -> tuple[list[Job], list[tuple[Delivery, str]]]:
        """The due rows, each skipped, deferred or claimed for a send, in one transaction: load
        the batch (rows, recipients, push targets, alerts), decide each row, save the batch."""
        async with conn.transaction():
            rows = await pg_claims.claimable(conn, now, self.config.batch)
            recipients = await pg_dispatch.recipients(conn, rows)
            targets = await pg_dispatch.push_targets(
                conn, [d for d in rows if d.channel is Channel.PUSH]
            )
            alerts = await pg_dispatch.alerts(
                conn, [d.source_event_id for d in rows if alert_kind(d.trigger) is not None]
            )
            changes_of = await pg_aftersales.events(
                conn, [d.source_event_id for d in rows if aftersales_stream(d.trigger)]
            )
            changes: list[NewState] = []
            outbox: list[NotificationResult] = []
            notes: list[tuple[Delivery, str]] = []
            sends: list[Job] = []
            for d in rows:
                recipient = recipients.get(d.id)
                event = changes_of.get(d.source_event_id) if aftersales_stream(d.trigger) else None
                if event is not None and recipient is not None:
                    # A return or claim is about the order, not one of its parcels.
                    recipient = replace(recipient, shipment_active=True)
                decision = self._decide(d, recipient, targets.get(d.id, ()), now)
                if decision.action is GateAction.SKIP:
                    reason = decision.reason or "skipped"
                    changes.append(NewState(d.id, "skipped", error=reason))
                    outbox.append(_result(d, Outcome.SKIPPED, d.attempts, now, reason))
                    notes.append((d, "skipped"))
                elif decision.action is GateAction.DEFER:
                    changes.append(NewState(d.id, "pending", decision.until, error=decision.reason))
                    outbox.append(_result(d, Outcome.DEFERRED, d.attempts, now, decision.reason))
                    notes.append((d, "deferred"))
                else:
                    assert recipient is not None
                    alert = alerts.get(d.source_event_id) if alert_kind(d.trigger) else None
                    sends.append(Job(d, 0, recipient, targets.get(d.id, ()), alert, event))
            await pg_dispatch.save(conn, changes, now)
            # Rows a live session still holds are left to it.
            attempts = await pg_claims.lease_all(
                conn, [job.delivery.id for job in sends], now + self.config.lease, now
            )
            await pg_outbox.add(conn, outbox, now)
        jobs = [
            replace(j, attempt=attempts[j.delivery.id]) for j in sends if j.delivery.id in attempts
        ]
        return jobs, notes

    def _decide(
        self,
        d: Delivery,
        recipient: Recipient | None,
        targets: tuple[PushTarget, ...],
        now: datetime,
    ) -> Gate:
        # The merchant's console settings as they are now (merchants.v1), over the environment.
        settings = self.channels.book.settings(d.merchant_id)
        decision = gate(
            d.channel, recipient, capabilities=self.channels.capabilities,
            quiet=quiet_hours(settings, self.config.quiet), now=now,
        )  # fmt: skip
        if decision.action is not GateAction.SKIP and channel_off(settings, d.channel):
            return Gate(GateAction.SKIP, CHANNEL_OFF)
        if decision.action is GateAction.SEND and d.channel is Channel.PUSH and not targets:
            return Gate(GateAction.SKIP, "no_subscription")  # every subscription removed since
        return decision

    async def _send_all(self, jobs: list[Job]) -> None:
        """Sends concurrently; outcomes are recorded in groups as they come in (one transaction
        per group, while the other sends go on), so a crash re-sends only what was not yet
        recorded."""
        limit = asyncio.Semaphore(self.config.concurrency)
        done: asyncio.Queue[tuple[Job, SendOutcome | PushOutcome]] = asyncio.Queue()

        async def one(job: Job) -> None:
            await done.put((job, await self._attempt(job, limit)))

        sends = [asyncio.create_task(one(job)) for job in jobs]
        left = len(jobs)
        while left:
            group = [await done.get()]
            while not done.empty():
                group.append(done.get_nowait())
            left -= len(group)
            try:
                await self.record_all(group, self.clock())
            except Exception:
                # The rows stay claimed and are claimed again: at-least-once, never lost.
                log.exception("could not record the outcomes of %d deliveries", len(group))
        await asyncio.gather(*sends)

    async def _attempt(self, job: Job, limit: asyncio.Semaphore) -> SendOutcome | PushOutcome:
        channel = job.delivery.channel.value
        async with limit:
            started = time.perf_counter()
            outcome = await bounded(
                self.channels.send(job, self.clock()), self.config.send_timeout, channel,
                f"delivery {job.delivery.id}",
            )  # fmt: skip
            self.metrics.send_seconds.labels(channel).observe(time.perf_counter() - started)
        return outcome

    async def record(self, job: Job, sent: SendOutcome | PushOutcome, now: datetime) -> None:
        await self.record_all([(job, sent)], now)

    async def record_all(
        self, outcomes: Sequence[tuple[Job, SendOutcome | PushOutcome]], now: datetime
    ) -> None:
        """Records a group of outcomes in one transaction: load the rows' states, settle each
        (domain.schedule), save them with their results."""
        changes: list[NewState] = []
        results: list[NotificationResult] = []
        gone: list[int] = []
        logged: list[tuple[Job, str, SendOutcome]] = []
        async with self.pool.acquire() as conn, conn.transaction():
            current = await pg_dispatch.states(conn, [job.delivery.id for job, _ in outcomes])
            for job, sent in outcomes:
                d = job.delivery
                if d.id not in current:
                    continue
                push = sent if isinstance(sent, PushOutcome) else None
                outcome = sent.outcome if isinstance(sent, PushOutcome) else sent
                state, attempts = current[d.id]
                settled = settle(
                    outcome, state=state, ours=state == "pending" and attempts == job.attempt,
                    attempt=job.attempt, now=now, policy=self.config, rng=self.rng,
                )  # fmt: skip
                changes.append(
                    NewState(
                        d.id, settled.state, settled.next_attempt_at, settled.error,
                        outcome.provider_id if isinstance(outcome, Sent) else None,
                        (push.done + push.gone) if push is not None else (),
                    )
                )  # fmt: skip
                if push is not None:
                    gone += push.gone
                if settled.outcome is not None:
                    results.append(_result(d, settled.outcome, job.attempt, now, settled.error))
                    if settled.metric is not None:
                        logged.append((job, settled.metric, outcome))
            await pg_dispatch.save(conn, changes, now)
            await pg_ledger.remove_push_subscriptions(conn, gone)
            await pg_outbox.add(conn, results, now)
        if gone:
            self.metrics.push_gone.inc(len(gone))
        for job, metric, outcome in logged:
            d = job.delivery
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
