"""The alert worker: consumed alerts (notifier_alerts) → shopper ledger rows, merchant webhooks
and digest items, each alert planned once in one transaction; then the merchants' queues.

Shopper messages go into the same ledger as status messages (trigger '<kind>:<episode id>')
and the dispatcher sends them like any other: opt-ins and quiet hours checked just before the
send, retries with backoff, one NotificationResult per outcome. An alert waits for an order
holding its shipment until the notification horizon; past it, it is planned without one.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import KW_ONLY, dataclass
from datetime import UTC, datetime

import asyncpg

from suivi_notifier.adapters import pg_alerts, pg_ledger, pg_merchant, pg_outbox
from suivi_notifier.adapters.merchant_book import MerchantBook
from suivi_notifier.domain.alerts import AlertOutcome, alert_trigger, plan_alert
from suivi_notifier.domain.planning import Capabilities
from suivi_notifier.domain.triggers import TriggerPolicy
from suivi_notifier.handlers.attempts import PlanConfig, run_until
from suivi_notifier.handlers.materialize import superseded_result
from suivi_notifier.handlers.merchant_sender import MerchantSender
from suivi_notifier.metrics import NotifierMetrics
from suivi_schemas import AlertKind, Channel, NotificationResult, ShipmentAlert

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class AlertWorker:
    pool: asyncpg.Pool
    metrics: NotifierMetrics
    policy: TriggerPolicy
    capabilities: Capabilities
    book: MerchantBook
    sender: MerchantSender
    config: PlanConfig
    _: KW_ONLY
    clock: Callable[[], datetime] = lambda: datetime.now(UTC)

    def __post_init__(self) -> None:
        for merchant, wants in sorted(self.book.alerts.items()):
            if wants.email and not self.digests:
                log.warning("merchant %s wants alert digests but SMTP is not configured", merchant)

    @property
    def digests(self) -> bool:
        """Digest emails need SMTP."""
        return self.sender.email is not None

    async def run(self, stop: asyncio.Event) -> None:
        await run_until(stop, self.run_once, self.config.poll_interval, "alert")

    async def run_once(self) -> int:
        planned = await self.plan(self.clock())
        return planned + await self.sender.run_once(self.clock())

    async def plan(self, now: datetime) -> int:
        counted: list[tuple[str, str]] = []
        queued: list[NotificationResult] = []
        webhooks = 0
        async with self.pool.acquire() as conn, conn.transaction():
            alerts = await pg_alerts.unplanned(conn, now - self.config.max_age, self.config.batch)
            for alert in alerts:
                decided = await self._shopper(conn, alert, now, queued)
                webhooks += await self._merchants(conn, alert, now)
                await pg_alerts.mark_planned(conn, alert.event_id, decided.value, now)
                counted.append((alert.kind.value, decided.value))
            await pg_outbox.add(conn, queued, now)
        for kind, outcome in counted:
            self.metrics.alerts.labels(kind, outcome).inc()
        self.metrics.merchant_webhooks.labels("queued").inc(webhooks)
        for r in queued:
            self.metrics.message(r.channel.value, r.trigger, "superseded")
        if counted:
            log.info("planned %d alert(s): %s", len(counted), sorted(set(counted)))
        return len(alerts)

    async def _shopper(
        self,
        conn: asyncpg.Connection,
        alert: ShipmentAlert,
        now: datetime,
        superseded: list[NotificationResult],
    ) -> AlertOutcome:
        recipient = await pg_ledger.recipient_for_shipment(conn, alert.key)
        if recipient is None:
            return AlertOutcome.NO_ORDER
        told: frozenset[Channel] = frozenset()
        over = False
        if alert.kind is AlertKind.RECOVERED:
            # What the shopper has not been told yet of the episode is moot now.
            for old in await pg_alerts.supersede_episode(conn, alert.key, alert.episode_id, now):
                superseded.append(superseded_result(old, now))
            told = await pg_alerts.told_channels(conn, alert.key, alert.episode_id)
        else:
            over = await pg_alerts.episode_over(conn, alert.episode_id)
        decided = plan_alert(
            alert, recipient, await pg_alerts.shipment_now(conn, alert.key),
            enabled=self.policy.enabled(recipient.merchant_id), capabilities=self.capabilities,
            now=now, max_age=self.config.max_age, episode_over=over,
            told=told,
        )  # fmt: skip
        for channel in decided.channels:
            await pg_alerts.create_delivery(conn, alert, recipient, channel, now)
        if decided.channels:
            log.info(
                "alert %s for %s: %d message(s)",
                alert_trigger(alert.kind.value, alert.episode_id),
                alert.key,
                len(decided.channels),
            )
        return decided.outcome

    async def _merchants(
        self, conn: asyncpg.Connection, alert: ShipmentAlert, now: datetime
    ) -> int:
        """Queues the alert for each configured merchant of the shipment; webhooks queued."""
        if alert.kind is AlertKind.REVISED:  # the shopper's news; digests and webhooks keep theirs
            return 0
        webhooks = 0
        for merchant in sorted(await pg_alerts.merchant_orders(conn, alert.key)):
            # A webhook from the environment's settings or the console's endpoints.
            if self.book.webhook(
                merchant, "alerts"
            ) is not None and await pg_merchant.queue_webhook(conn, merchant, alert.event_id, now):
                webhooks += 1
            if self.digests and self.book.digest(merchant) is not None:  # not when 'off'
                await pg_merchant.queue_digest_item(conn, merchant, alert.event_id, now)
        return webhooks
