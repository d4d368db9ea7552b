"""A trigger whose debounce window has ended → its ledger rows, in the caller's transaction.

Once its window has ended a trigger is owed to the shopper: it leaves the shipment's pending
slot for the ledger (one row per planned channel, older waiting rows of the same shipment and
channel superseded), and from there it is sent, retried or superseded on the record, never
dropped. The dispatcher does this when a window ends; the intake does it first for a shipment
it is about to change whose window ended unnoticed (the dispatcher dead, restarting or busy),
so a newer status read later never takes the owed trigger's place.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

import asyncpg

from suivi_notifier.adapters import pg_dispatch, pg_ledger, pg_outbox
from suivi_notifier.adapters.pg_dispatch import NewDelivery
from suivi_notifier.adapters.pg_ledger import Delivery, DueShipment
from suivi_notifier.domain.planning import Capabilities, Plan, TriggerOutcome, plan
from suivi_notifier.domain.triggers import TriggerPolicy
from suivi_notifier.metrics import NotifierMetrics, trigger_label
from suivi_schemas import NotificationResult, Outcome

log = logging.getLogger(__name__)


def delivery_result(
    d: Delivery, outcome: Outcome, attempts: int, now: datetime, error: str | None = None
) -> NotificationResult:
    """The NotificationResult of one outcome of a ledger row."""
    return pg_outbox.result(
        merchant_id=d.merchant_id, order_number=d.order_number, carrier=d.carrier,
        tracking_number=d.tracking_number, trigger=d.trigger, channel=d.channel,
        outcome=outcome, attempts=attempts, now=now, source_event_id=d.source_event_id,
        error=error,
    )  # fmt: skip


def superseded_result(d: Delivery, now: datetime) -> NotificationResult:
    """The result of a waiting row a newer message made moot: skipped, 'superseded'."""
    return delivery_result(d, Outcome.SKIPPED, d.attempts, now, "superseded")


@dataclass(frozen=True, slots=True)
class Materialized:
    trigger: str
    outcome: TriggerOutcome
    superseded: tuple[NotificationResult, ...] = ()


@dataclass(frozen=True, slots=True)
class Materializer:
    policy: TriggerPolicy
    capabilities: Capabilities
    max_age: timedelta

    async def due(self, conn: asyncpg.Connection, now: datetime, limit: int) -> list[Materialized]:
        """The due shipments no one else holds (the dispatcher's step)."""
        return await self._all(conn, await pg_ledger.due_shipments(conn, now, limit), now)

    async def owed(
        self, conn: asyncpg.Connection, keys: Iterable[str], now: datetime
    ) -> list[Materialized]:
        """Among these shipments, those whose window has ended (the intake's step, before it
        applies newer events to them)."""
        return await self._all(conn, await pg_ledger.owed_shipments(conn, keys, now), now)

    async def _all(
        self, conn: asyncpg.Connection, due: Sequence[DueShipment], now: datetime
    ) -> list[Materialized]:
        """Load the batch's recipients, decide each shipment (domain.planning), save the batch's
        ledger rows, supersessions and cleared triggers: a few statements per batch."""
        recipients = await pg_dispatch.recipients_for_shipments(conn, [s.shipment_key for s in due])
        decided: list[tuple[DueShipment, Plan]] = []
        for shipment in due:
            recipient = recipients.get(shipment.shipment_key)
            if recipient is None:
                continue
            enabled = self.policy.enabled(recipient.merchant_id)
            decided.append((shipment, plan(
                shipment.pending, recipient, enabled=enabled, capabilities=self.capabilities,
                max_age=self.max_age, now=now,
            )))  # fmt: skip
        rows = [
            NewDelivery(shipment, recipients[shipment.shipment_key], channel)
            for shipment, decision in decided
            for channel in decision.channels
        ]
        old = await pg_dispatch.create_deliveries(conn, rows, now)
        await pg_dispatch.clear_pending(conn, [s.shipment_key for s, _ in decided], now)
        done: list[Materialized] = []
        for shipment, decision in decided:
            superseded = tuple(
                superseded_result(d, now)
                for channel in decision.channels
                for d in sorted(old, key=lambda d: d.id)
                if d.shipment_key == shipment.shipment_key and d.channel is channel
            )
            done.append(Materialized(shipment.pending.trigger, decision.outcome, superseded))
        await pg_outbox.add(conn, [r for m in done for r in m.superseded], now)
        return done


def count(metrics: NotifierMetrics, done: Sequence[Materialized]) -> None:
    """Metrics and logs, once the transaction that wrote `done` has committed."""
    for m in done:
        metrics.triggers.labels(trigger_label(m.trigger), m.outcome.value).inc()
        if m.outcome != TriggerOutcome.NOTIFY:
            log.info("trigger %s not notified: %s", m.trigger, m.outcome)
        for r in m.superseded:
            metrics.message(r.channel.value, r.trigger, "superseded")
