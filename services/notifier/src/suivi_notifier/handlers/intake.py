"""One consumed batch (orders, status events, alerts, returns, claims) → the decisions, in one DB
transaction.

Nothing is sent here: a trigger becomes a shipment's pending trigger (due after the debounce
window) and the dispatcher turns due triggers into ledger rows and messages. So a batch can be
consumed again any number of times (redelivery, a crash before the offset commit): orders keep
the newest snapshot, an event not newer than the shipment's latest changes nothing, and an
alert, a return or claim event is kept once (by its deterministic event id) for its worker to
plan; a new return or claim event queues its merchant's webhook in the same transaction.
Records that cannot be read go to the dead-letter topic; the caller commits the offsets only
after this returns (the transaction committed, every dead letter acknowledged). A record that
is read but that PostgreSQL refuses fails the batch, which the shared consumer then splits to
dead-letter it (suivi_infra.poison).
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Sequence
from dataclasses import KW_ONLY, dataclass, field
from datetime import UTC, datetime, timedelta

import asyncpg
from pydantic import ValidationError

from suivi_infra.poison import DeadLetters
from suivi_infra.records import ConsumedRecord
from suivi_notifier.adapters import pg_aftersales, pg_alerts, pg_intake
from suivi_notifier.adapters.merchant_book import MerchantBook
from suivi_notifier.domain.aftersales import AftersalesEvent, change_of
from suivi_notifier.domain.shipment import ShipmentState, StatusFact, Verdict, apply_event
from suivi_notifier.domain.triggers import TriggerPolicy
from suivi_notifier.handlers.materialize import Materialized, Materializer, count
from suivi_notifier.links import Links
from suivi_notifier.metrics import NotifierMetrics
from suivi_schemas import OrderEvent, ShipmentAlert, ShipmentStatusEvent
from suivi_schemas.claims import ClaimEvent
from suivi_schemas.orders import OrderEventKind
from suivi_schemas.returns import ReturnEvent

log = logging.getLogger(__name__)
__all__ = ["BatchResult", "DeadLetters", "Intake"]


@dataclass(slots=True)
class BatchResult:
    orders_stored: int = 0
    alerts: int = 0
    alerts_stored: int = 0
    aftersales: int = 0
    aftersales_stored: int = 0
    webhooks_queued: int = 0
    verdicts: dict[str, int] = field(default_factory=dict)
    dead_lettered: int = 0
    owed: list[Materialized] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Intake:
    pool: asyncpg.Pool
    dead_letters: DeadLetters
    metrics: NotifierMetrics
    links: Links
    policy: TriggerPolicy
    _: KW_ONLY
    status_topic: str
    orders_topic: str
    alerts_topic: str | None = None
    returns_topic: str | None = None
    claims_topic: str | None = None
    book: MerchantBook | None = None
    debounce: timedelta
    owed: Materializer
    clock: Callable[[], datetime] = lambda: datetime.now(UTC)

    async def process(self, records: Sequence[ConsumedRecord]) -> BatchResult:
        result = BatchResult()
        orders: dict[str, OrderEvent] = {}
        events: list[ShipmentStatusEvent] = []
        fulfillments: list[OrderEvent] = []
        alerts: list[ShipmentAlert] = []
        aftersales: list[AftersalesEvent] = []
        poison: list[tuple[ConsumedRecord, Exception]] = []
        for record in records:
            try:
                if record.topic == self.orders_topic:
                    order = OrderEvent.model_validate_json(record.value or b"")
                    if order.kind is OrderEventKind.FULFILLMENT:
                        fulfillments.append(order)
                        continue
                    kept = orders.get(order.key)
                    if kept is None or kept.updated_at < order.updated_at:
                        orders[order.key] = order
                elif record.topic == self.status_topic:
                    events.append(ShipmentStatusEvent.model_validate_json(record.value or b""))
                elif record.topic == self.alerts_topic:
                    alerts.append(ShipmentAlert.model_validate_json(record.value or b""))
                elif record.topic == self.returns_topic:
                    aftersales.append(ReturnEvent.model_validate_json(record.value or b""))
                elif record.topic == self.claims_topic:
                    aftersales.append(ClaimEvent.model_validate_json(record.value or b""))
                else:
                    raise ValueError(f"unexpected topic {record.topic}")
            except (ValidationError, ValueError) as exc:
                poison.append((record, exc))
        now = self.clock()
        async with self.pool.acquire() as conn, conn.transaction():
            for order in orders.values():
                if await pg_intake.upsert_order(
                    conn,
                    order,
                    status_token=self.links.status_token(order.merchant_id, order.order_number),
                    unsubscribe_token=self.links.unsubscribe_token(
                        order.merchant_id, order.order_number
                    ),
                    now=now,
                ):
                    result.orders_stored += 1
            # After the snapshots of this batch: a fulfilment newer than its order's snapshot
            # adds its parcels (suivi_schemas.order_state's rule); contacts never change.
            for fulfillment in fulfillments:
                await pg_intake.add_fulfillment(conn, fulfillment)
            if events:
                result.verdicts, result.owed = await self._apply(conn, events, now)
            result.alerts = len(alerts)
            result.alerts_stored = await pg_alerts.store(conn, alerts, now)
            result.aftersales = len(aftersales)
            new = await pg_aftersales.store(conn, aftersales, now)
            result.aftersales_stored = len(new)
            result.webhooks_queued = await pg_aftersales.queue_webhooks(
                conn, self._webhooks(new), now
            )
        # Dead letters are acknowledged before the caller commits; a failure raises (and the
        # batch is consumed again: everything above is idempotent).
        await self.send(poison)
        result.dead_lettered = len(poison)
        count(self.metrics, result.owed)
        self.metrics.events.labels("orders", "stored").inc(result.orders_stored)
        self.metrics.events.labels("orders", "older").inc(len(orders) - result.orders_stored)
        for verdict, n in result.verdicts.items():
            self.metrics.events.labels("status", verdict).inc(n)
        self.metrics.events.labels("alerts", "stored").inc(result.alerts_stored)
        self.metrics.events.labels("alerts", "duplicate").inc(result.alerts - result.alerts_stored)
        self.metrics.events.labels("aftersales", "stored").inc(result.aftersales_stored)
        self.metrics.events.labels("aftersales", "duplicate").inc(
            result.aftersales - result.aftersales_stored
        )
        self.metrics.merchant_webhooks.labels("queued").inc(result.webhooks_queued)
        return result

    def _webhooks(self, events: Sequence[AftersalesEvent]) -> list[tuple[str, uuid.UUID]]:
        """The new events whose merchant has a webhook for their family now (the environment's
        settings or a console endpoint); the target is looked up again at each attempt."""
        if self.book is None:
            return []
        out = []
        for event in events:
            change = change_of(event)
            if self.book.webhook(change.merchant_id, f"{change.stream}s") is not None:
                out.append((change.merchant_id, change.event_id))
        return out

    async def send(self, failures: Sequence[tuple[ConsumedRecord, BaseException]]) -> None:
        """Dead letters, counted once acknowledged: this batch's unreadable records, and those
        the shared consumer isolated (suivi_infra.poison.DeadLetters)."""
        await self.dead_letters.send(failures)
        for record, error in failures:
            log.warning(
                "dead-lettered %s:%d@%d (%s)",
                record.topic,
                record.partition,
                record.offset,
                type(error).__name__,
            )
            self.metrics.events.labels(self._kind(record.topic), "dead_lettered").inc()

    def _kind(self, topic: str) -> str:
        if topic == self.orders_topic:
            return "orders"
        if topic in (self.returns_topic, self.claims_topic):
            return "aftersales"
        return "alerts" if topic == self.alerts_topic else "status"

    async def _apply(
        self, conn: asyncpg.Connection, events: list[ShipmentStatusEvent], now: datetime
    ) -> tuple[dict[str, int], list[Materialized]]:
        keys = {e.key for e in events}
        # A window that ended with no dispatcher to notice (dead, restarting, busy) owes its
        # trigger to the shopper: it goes to the ledger before a newer event can replace it.
        owed = await self.owed.owed(conn, keys, now)
        states: dict[str, ShipmentState | None] = dict.fromkeys(keys)
        states.update(await pg_intake.load_shipments(conn, keys))
        merchants = await pg_intake.merchants_of(conn, keys)
        identities: dict[str, tuple[str, str]] = {}
        changed: dict[str, ShipmentState] = {}
        verdicts: dict[str, int] = {}
        for event in events:  # in consumption order: one shipment's events are in order
            key = event.key
            identities.setdefault(key, (event.carrier, event.tracking_number))
            fact = StatusFact(event.event_id, event.status.value, event.occurred_at)
            enabled = self.policy.enabled_for_any(merchants.get(key, ()))
            state, verdict = apply_event(
                states[key], fact, now=now, debounce=self.debounce, enabled=enabled
            )
            verdicts[verdict.value] = verdicts.get(verdict.value, 0) + 1
            if verdict in (Verdict.APPLIED, Verdict.TRIGGERED):
                states[key] = changed[key] = state
        await pg_intake.save_shipments(conn, changed, identities, now)
        await pg_intake.save_places(conn, (e for e in events if e.key in changed))
        return verdicts, owed
