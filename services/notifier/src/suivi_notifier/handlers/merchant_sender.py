"""What merchants hear about their stalled / late / recovered shipments, per their settings
(SUIVI_NOTIFIER_MERCHANT_ALERTS, or their console endpoints and digest frequency on
merchants.v1: `MerchantBook`): a signed webhook per alert, and an email digest each period
listing the alerts since the last one (none when there are none); and a signed webhook per
return or claim change.

Each cycle: (1) for merchants whose waiting alerts were added before the current digest period
began, a digest is created claiming them (one transaction); (2) due webhooks and digests are
claimed (attempt counted, lease taken), sent concurrently outside any transaction, each bounded
by a timeout, and their outcomes recorded (sent; failed; or retried with backoff like the
shopper channels). Logs name merchants and row ids, never an address, URL or body.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

import asyncpg

from suivi_notifier.adapters import merchant_webhook, pg_aftersales, pg_merchant, pg_outbox
from suivi_notifier.adapters.merchant_book import MerchantBook
from suivi_notifier.adapters.merchant_webhook import WebhookSender
from suivi_notifier.adapters.pg_aftersales import AftersalesWebhookRow
from suivi_notifier.adapters.pg_merchant import DigestRow, Queue, WebhookRow
from suivi_notifier.adapters.render import DigestContext, DigestLine, Renderer
from suivi_notifier.domain.aftersales import change_of
from suivi_notifier.domain.alerts import alert_trigger, digest_period_start
from suivi_notifier.domain.outcomes import Permanent, SendOutcome, Transient
from suivi_notifier.domain.schedule import settle
from suivi_notifier.handlers.attempts import DispatchConfig, bounded
from suivi_notifier.handlers.channels import EmailSender
from suivi_notifier.metrics import NotifierMetrics
from suivi_schemas import Channel, NotificationResult, Outcome
from suivi_schemas.ids import derived_event_id

log = logging.getLogger(__name__)
WEBHOOKS: Queue = "notifier_merchant_webhooks"
DIGESTS: Queue = "notifier_digests"
AFTERSALES: Queue = "notifier_aftersales_webhooks"
Row = WebhookRow | DigestRow | AftersalesWebhookRow


@dataclass(frozen=True, slots=True)
class _Job:
    table: Queue
    row: Row
    attempt: int


def _aftersales_result(
    row: AftersalesWebhookRow, outcome: Outcome, attempts: int, now: datetime, error: str | None
) -> NotificationResult:
    change = change_of(row.event)
    return NotificationResult(
        event_id=derived_event_id(
            "notification", change.subject, change.webhook_type, Channel.WEBHOOK.value,
            outcome.value,
        ),
        merchant_id=row.merchant_id, order_number=change.order_number, carrier=change.stream,
        tracking_number=change.number, trigger=change.webhook_type, channel=Channel.WEBHOOK,
        outcome=outcome, attempts=attempts, occurred_at=now, source_event_id=change.event_id,
        error=error,
    )  # fmt: skip


def _webhook_result(
    row: WebhookRow, outcome: Outcome, attempts: int, now: datetime, error: str | None
) -> NotificationResult | None:
    if not row.order_numbers:  # the order was dropped since: nothing to key the result on
        return None
    alert = row.alert
    trigger = alert_trigger(alert.kind.value, alert.episode_id)
    return NotificationResult(
        event_id=derived_event_id(
            "notification", alert.key, trigger, Channel.WEBHOOK.value, row.merchant_id,
            outcome.value,
        ),
        merchant_id=row.merchant_id, order_number=row.order_numbers[0], carrier=alert.carrier,
        tracking_number=alert.tracking_number, trigger=alert.kind.value, channel=Channel.WEBHOOK,
        outcome=outcome, attempts=attempts, occurred_at=now, source_event_id=alert.event_id,
        error=error,
    )  # fmt: skip


class MerchantSender:
    def __init__(
        self,
        pool: asyncpg.Pool,
        metrics: NotifierMetrics,
        config: DispatchConfig,
        book: MerchantBook,
        renderer: Renderer,
        webhooks: WebhookSender,
        email: EmailSender | None,
        *,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        rng: random.Random | None = None,
    ) -> None:
        self.pool = pool
        self.metrics = metrics
        self.config = config
        self.book = book
        self.renderer = renderer
        self.webhooks = webhooks
        self.email = email
        self.clock = clock
        self.rng = rng or random.Random()  # noqa: S311 - jitter, not secrecy

    async def run_once(self, now: datetime) -> int:
        return await self.make_digests(now) + await self.send_due(now)

    async def make_digests(self, now: datetime) -> int:
        async with self.pool.acquire() as conn:
            waiting = await pg_merchant.waiting_digests(conn)
        made = 0
        for merchant, oldest in sorted(waiting.items()):
            target = self.book.digest(merchant)  # the console's frequency, then the env's
            if target is None:
                continue
            start = digest_period_start(now, target.minutes)
            if oldest >= start:
                continue  # this period's alerts go into the next digest
            async with self.pool.acquire() as conn, conn.transaction():
                claimed = await pg_merchant.create_digest(conn, merchant, start, now)
            if claimed:
                made += 1
                self.metrics.digests.labels("created").inc()
                self.metrics.digest_alerts.inc(claimed)
                log.info("digest for merchant %s: %d alert(s)", merchant, claimed)
        return made

    async def send_due(self, now: datetime) -> int:
        # The claiming session stays open until the sends are recorded: it holds the claims
        # (pg_claims), so if this process dies PostgreSQL lets them go at once.
        until = now + self.config.lease
        async with self.pool.acquire() as conn:
            jobs: list[_Job] = []
            async with conn.transaction():
                due: list[tuple[Queue, Row]] = [
                    (WEBHOOKS, r)
                    for r in await pg_merchant.due_webhooks(conn, now, self.config.batch)
                ]
                due += [(DIGESTS, r) for r in await pg_merchant.due_digests(conn, now, 10)]
                due += [
                    (AFTERSALES, r)
                    for r in await pg_aftersales.due_webhooks(conn, now, self.config.batch)
                ]
                for table in (WEBHOOKS, DIGESTS, AFTERSALES):
                    rows = [row for t, row in due if t == table]
                    claims = pg_merchant.CLAIMS[table]
                    attempts = await claims.lease_all(conn, [r.id for r in rows], until, now)
                    # Rows a live session still holds are left to it.
                    jobs += [_Job(table, r, attempts[r.id]) for r in rows if r.id in attempts]
            if jobs:
                limit = asyncio.Semaphore(self.config.concurrency)
                await asyncio.gather(*(self._send(job, limit) for job in jobs))
                for table in (WEBHOOKS, DIGESTS, AFTERSALES):
                    held = [job.row.id for job in jobs if job.table == table]
                    await pg_merchant.CLAIMS[table].release(conn, held)
        return len(jobs)

    async def _send(self, job: _Job, limit: asyncio.Semaphore) -> None:
        kind = "digest" if job.table == DIGESTS else "webhook"
        async with limit:
            started = time.perf_counter()
            outcome = await bounded(
                self._attempt(job.row, self.clock()), self.config.send_timeout, kind,
                f"{kind} {job.row.id}",
            )  # fmt: skip
            self.metrics.merchant_send_seconds.labels(kind).observe(time.perf_counter() - started)
        try:
            await self.record(job, outcome, self.clock())
        except Exception:
            log.exception("could not record the outcome of %s %d", kind, job.row.id)

    def _unconfigured(self) -> SendOutcome:
        # Until merchants.v1 is loaded, a console endpoint may just not be known yet.
        return Permanent("webhook_unconfigured") if self.book.ready else Transient("merchants")

    async def _attempt(self, row: Row, now: datetime) -> SendOutcome:
        # The target is looked up at each attempt: a URL or secret changed since is used.
        if isinstance(row, WebhookRow):
            target = self.book.webhook(row.merchant_id, "alerts")
            if target is None:
                return self._unconfigured()
            return await self.webhooks.send(
                target.url,
                target.secrets,
                merchant_webhook.body(row.merchant_id, row.order_numbers, row.alert),
                delivery_id=str(row.alert.event_id),
                event_type=f"shipment.{row.alert.kind.value}",
            )
        if isinstance(row, AftersalesWebhookRow):
            change = change_of(row.event)
            target = self.book.webhook(row.merchant_id, f"{change.stream}s")
            if target is None:
                return self._unconfigured()
            return await self.webhooks.send(
                target.url,
                target.secrets,
                merchant_webhook.aftersales_body(row.event),
                delivery_id=str(change.event_id),
                event_type=change.webhook_type,
            )
        digest = self.book.digest(row.merchant_id)
        if digest is None or self.email is None:
            return Permanent("digest_unconfigured")
        lines = tuple(
            DigestLine(
                orders, a.carrier, a.tracking_number, a.kind.value, a.status.value,
                a.last_event_at, a.detected_at, a.expected_by, a.promise_source, a.promised_date,
            )
            for a, orders in row.lines
        )  # fmt: skip
        name = self.book.name(row.merchant_id)
        rendered = self.renderer.digest(
            DigestContext(name, digest.locale, digest.timezone, digest.minutes, lines)
        )
        message_id = derived_event_id("digest", row.merchant_id, str(row.id)).hex
        message = self.email.build(
            digest.email, rendered, unsubscribe_url=None, message_id=f"suivi.{message_id}", now=now
        )
        return await self.email.send(message)

    async def record(self, job: _Job, outcome: SendOutcome, now: datetime) -> None:
        kind = "digest" if job.table == DIGESTS else "webhook"
        metric: str | None = None
        async with self.pool.acquire() as conn, conn.transaction():
            current = await pg_merchant.current(conn, job.table, job.row.id)
            if current is None:
                return
            state, attempts = current
            settled = settle(
                outcome, state=state, ours=state == "pending" and attempts == job.attempt,
                attempt=job.attempt, now=now, policy=self.config, rng=self.rng,
            )  # fmt: skip
            metric = settled.metric
            if settled.outcome is not None:
                await pg_merchant.set_state(
                    conn, job.table, job.row.id, settled.state, now,
                    next_attempt_at=settled.next_attempt_at, error=settled.error,
                )  # fmt: skip
                published: NotificationResult | None = None
                if isinstance(job.row, WebhookRow):
                    published = _webhook_result(
                        job.row, settled.outcome, job.attempt, now, settled.error
                    )
                elif isinstance(job.row, AftersalesWebhookRow):
                    published = _aftersales_result(
                        job.row, settled.outcome, job.attempt, now, settled.error
                    )
                await pg_outbox.add(conn, [published] if published else [], now)
        if metric is not None:
            counter = self.metrics.merchant_webhooks if kind == "webhook" else self.metrics.digests
            counter.labels(metric).inc()
            error = outcome.error if isinstance(outcome, Transient | Permanent) else "-"
            log.info(
                "%s %d for merchant %s: %s (attempt %d, %s)",
                kind, job.row.id, job.row.merchant_id, metric, job.attempt, error,
            )  # fmt: skip
