"""The after-sales worker: consumed return and claim events (notifier_aftersales_events) → the
shopper's ledger rows, each event planned once, in journey order, in one transaction per batch.

Shopper messages go into the same ledger as status messages (key '<stream>:<merchant>:<number>',
trigger '<stream>.<kind>') and the dispatcher sends them like any other: opt-ins and quiet hours
checked just before the send, retries with backoff, one NotificationResult per outcome. An event
waits for its order until the notification horizon; past it, it is planned without one.
Merchant webhooks are queued by the intake (they need no order) and sent by `MerchantSender`.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Callable
from dataclasses import KW_ONLY, dataclass
from datetime import UTC, datetime

import asyncpg

from suivi_notifier.adapters import pg_aftersales
from suivi_notifier.domain.aftersales import change_of, plan_change
from suivi_notifier.domain.planning import Capabilities
from suivi_notifier.handlers.attempts import PlanConfig, run_until
from suivi_notifier.metrics import NotifierMetrics

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class AftersalesWorker:
    pool: asyncpg.Pool
    metrics: NotifierMetrics
    capabilities: Capabilities
    config: PlanConfig
    _: KW_ONLY
    clock: Callable[[], datetime] = lambda: datetime.now(UTC)

    async def run(self, stop: asyncio.Event) -> None:
        await run_until(
            stop, lambda: self.plan(self.clock()), self.config.poll_interval, "after-sales"
        )

    async def plan(self, now: datetime) -> int:
        """Plans a batch of events; returns how many."""
        outcomes: list[tuple[uuid.UUID, str]] = []
        counted: list[tuple[str, str]] = []
        async with self.pool.acquire() as conn, conn.transaction():
            events = await pg_aftersales.unplanned(
                conn, now - self.config.max_age, self.config.batch
            )
            changes = [change_of(e) for e in events]
            latest = await pg_aftersales.latest(conn, [c.subject for c in changes])
            recipients = await pg_aftersales.recipients(
                conn, [(c.merchant_id, c.order_number) for c in changes]
            )
            for change in changes:  # in journey order (the query's)
                decided = plan_change(
                    change, recipients.get((change.merchant_id, change.order_number)),
                    latest=latest.get(change.subject), capabilities=self.capabilities, now=now,
                    max_age=self.config.max_age,
                )  # fmt: skip
                held = latest.get(change.subject)
                if held is None or held < change.position:
                    latest[change.subject] = change.position
                recipient = recipients.get((change.merchant_id, change.order_number))
                for channel in decided.channels:
                    assert recipient is not None
                    await pg_aftersales.create_delivery(conn, change, recipient, channel, now)
                outcomes.append((change.event_id, decided.outcome.value))
                counted.append((change.stream, decided.outcome.value))
            await pg_aftersales.mark_planned(conn, outcomes, now)
        for stream, outcome in counted:
            self.metrics.aftersales.labels(stream, outcome).inc()
        if counted:
            log.info("planned %d return/claim event(s): %s", len(counted), sorted(set(counted)))
        return len(events)
