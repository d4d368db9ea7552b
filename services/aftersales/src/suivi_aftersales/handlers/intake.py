"""The consumed batch (one consumer group on `commerce.orders.v1` and `tracking.status.v1`):
orders are merged into `aftersales_orders` (with their page token's digest), status events into
parcel facts, and a return parcel's new facts move its returns. One transaction per batch,
committed before the offsets (suivi_infra.streams); a batch consumed again, or its events in
another order, ends in the same rows and publishes nothing more (facts are merged
commutatively; the state machine only moves forward; event ids are the transitions').

Facts are kept for every parcel, not only known ones: a return parcel's (or an order's)
events may come before the tracking number is known here.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

import asyncpg
from pydantic import SecretStr, ValidationError

from suivi_aftersales.adapters import pg_claims, pg_orders, pg_returns
from suivi_aftersales.domain.parcels import SCANNED, learn
from suivi_aftersales.domain.returns import carrier_progress
from suivi_aftersales.handlers.returns import commit_change
from suivi_aftersales.metrics import AftersalesMetrics
from suivi_infra.poison import DeadLetters
from suivi_infra.records import ConsumedRecord
from suivi_infra.tokens import status_token
from suivi_schemas.alerts import ShipmentAlert
from suivi_schemas.events import ShipmentStatusEvent
from suivi_schemas.ids import shipment_key
from suivi_schemas.order_state import OrderState
from suivi_schemas.orders import OrderEvent

log = logging.getLogger(__name__)
Clock = Callable[[], datetime]


@dataclass(frozen=True, slots=True)
class Topics:
    orders: str
    status: str
    alerts: str = ""


class Intake:
    def __init__(
        self, pool: asyncpg.Pool, topics: Topics, token_key: SecretStr,
        metrics: AftersalesMetrics, dead_letters: DeadLetters, *, clock: Clock,
        on_events: Callable[[], None] = lambda: None,
    ) -> None:  # fmt: skip
        self.pool, self.topics, self.token_key, self.metrics = pool, topics, token_key, metrics
        self.dead_letters, self.clock, self.on_events = dead_letters, clock, on_events

    async def send(self, failures: Sequence[tuple[ConsumedRecord, BaseException]]) -> None:
        """Dead letters (the shared subscriber sends the records it splits out here too)."""
        await self.dead_letters.send(failures)
        for record, exc in failures:
            self.metrics.consumed.labels(record.topic, "dead_lettered").inc()
            log.error(
                "record dead-lettered (%s offset %d: %s)",
                record.topic, record.offset, type(exc).__name__,
            )  # fmt: skip

    async def _parse(
        self, records: Sequence[ConsumedRecord]
    ) -> tuple[list[OrderEvent], list[ShipmentStatusEvent], list[ShipmentAlert]]:
        orders: list[OrderEvent] = []
        events: list[ShipmentStatusEvent] = []
        alerts: list[ShipmentAlert] = []
        invalid: list[tuple[ConsumedRecord, BaseException]] = []
        for record in records:
            try:
                if record.topic == self.topics.orders:
                    orders.append(OrderEvent.model_validate_json(record.value or b""))
                elif record.topic == self.topics.status:
                    events.append(ShipmentStatusEvent.model_validate_json(record.value or b""))
                elif record.topic == self.topics.alerts:
                    alerts.append(ShipmentAlert.model_validate_json(record.value or b""))
            except ValidationError as exc:
                invalid.append((record, exc))
        if invalid:
            await self.send(invalid)
        return orders, events, alerts

    async def process(self, records: Sequence[ConsumedRecord]) -> None:
        orders, events, alerts = await self._parse(records)
        now = self.clock()
        moved = 0
        async with self.pool.acquire() as conn, conn.transaction():
            # One lock order for every instance (sorted keys): no deadlock between batches.
            for order in sorted(orders, key=lambda o: (o.key, o.updated_at, str(o.event_id))):
                await self._order(conn, order)
            await pg_orders.save_timeline(conn, events)  # the claims' evidence
            await pg_claims.save_alerts(conn, alerts)  # the monitor's word for "late"
            by_parcel: dict[str, list[ShipmentStatusEvent]] = {}
            for event in events:
                if event.status in SCANNED:
                    by_parcel.setdefault(shipment_key(event.carrier, event.tracking_number), [])
                    by_parcel[shipment_key(event.carrier, event.tracking_number)].append(event)
            for key in sorted(by_parcel):
                moved += await self._parcel(conn, key, by_parcel[key], now)
        self.metrics.consumed.labels(self.topics.orders, "applied").inc(len(orders))
        self.metrics.consumed.labels(self.topics.status, "applied").inc(len(events))
        self.metrics.consumed.labels(self.topics.alerts, "applied").inc(len(alerts))
        if moved:
            self.on_events()

    async def _order(self, conn: asyncpg.Connection, event: OrderEvent) -> None:
        state = await pg_orders.load_order_state(conn, event.merchant_id, event.order_number)
        before = state or OrderState()
        after = before.apply(event)
        if state is not None and after is before:
            return  # older or repeated: nothing to learn
        token = status_token(self.token_key, event.merchant_id, event.order_number)
        await pg_orders.save_order(conn, event.merchant_id, event.order_number, token, after)

    async def _parcel(
        self, conn: asyncpg.Connection, key: str, events: list[ShipmentStatusEvent], now: datetime
    ) -> int:
        await pg_orders.lock_parcel(conn, key)
        before = await pg_orders.load_parcel(conn, key)
        facts = before
        for event in events:
            facts = learn(facts, event)
        if facts == before:
            return 0
        await pg_orders.save_parcel(conn, key, facts)
        moved = 0
        for ret in await pg_returns.of_parcel(conn, key):
            change = carrier_progress(ret, facts, now)
            if change.ret != ret:
                policy = await pg_returns.load_policy(conn, ret.merchant_id)
                await commit_change(conn, change, policy, now, self.metrics)
                moved += 1
        return moved
