"""The consumed batch (one consumer group on `commerce.orders.v1` and `tracking.status.v1`):
every active shipment of an order starts (or links to) a tracking; every status event teaches
its tracking the latest canonical status, event time and promised date. One transaction per
batch, committed before the offsets (suivi_infra.streams): a batch consumed again changes
nothing more (links are keyed, older events do not roll a status back).

A record that is not a valid contract goes to the tracker's dead-letter topic (acknowledged
before the batch counts as done), with why; a record the database refuses is split out and
dead-lettered the same way by the shared subscriber (suivi_infra.poison).
"""

from __future__ import annotations

import logging
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

import asyncpg
from pydantic import ValidationError

from suivi_infra.poison import DeadLetters
from suivi_infra.records import ConsumedRecord
from suivi_schemas.detection import detect
from suivi_schemas.events import ShipmentStatusEvent
from suivi_schemas.ids import normalize_tracking_number
from suivi_schemas.orders import OrderEvent
from suivi_schemas.returns import ReturnEvent, ReturnEventKind
from suivi_tracker.db.rows import COLUMNS, tracking_of
from suivi_tracker.domain.decide import learn_status
from suivi_tracker.domain.schedule import SchedulePolicy, next_due
from suivi_tracker.domain.states import State
from suivi_tracker.handlers.start import Refused, StartRequest, StartTracking
from suivi_tracker.metrics import TrackerMetrics

log = logging.getLogger(__name__)
Clock = Callable[[], datetime]

_LOCK = f"SELECT {COLUMNS} FROM trackings WHERE carrier = $1 AND tracking_number = $2 FOR UPDATE"  # noqa: S608
_LOCK_GUESSED = f"""
SELECT {COLUMNS} FROM trackings
WHERE carrier = ANY($1::text[]) AND tracking_number = $2 AND state = $3
ORDER BY id LIMIT 1 FOR UPDATE
"""  # noqa: S608
_CORRECT = f"UPDATE trackings SET carrier = $2 WHERE id = $1 RETURNING {COLUMNS}"  # noqa: S608
_LEARN = """
UPDATE trackings SET state = $2, last_status = $3, last_event_at = $4, last_push_at = $5,
    promised_date = $6, terminal_at = $7, next_due_at = $8, updated_at = $9
WHERE id = $1
"""


@dataclass(frozen=True, slots=True)
class Topics:
    orders: str
    status: str
    returns: str = ""  # commerce.returns.v1: return parcels start trackings too


def return_request(event: ReturnEvent) -> StartRequest | None:
    """A return parcel's number, once attached (by the merchant's label or the shopper's
    deposit receipt), starts a tracking linked to the merchant and order like any parcel."""
    if event.kind is not ReturnEventKind.TRACKING_ATTACHED or event.parcel is None:
        return None
    return StartRequest(
        tracking_number=event.parcel.tracking_number, carrier=event.parcel.carrier,
        merchant_id=event.merchant_id, order_number=event.order_number,
        title=f"Return {event.return_id}", detect_unknown_carrier=True,
    )  # fmt: skip


def shipment_requests(order: OrderEvent) -> list[StartRequest]:
    address = order.shipping_address
    return [
        StartRequest(
            tracking_number=s.tracking_number,
            carrier=s.carrier,
            postal_code=address.postal_code if address else None,
            country=address.country if address else None,
            ship_date=s.shipped_at.date() if s.shipped_at else None,
            merchant_id=order.merchant_id,
            order_number=order.order_number,
            detect_unknown_carrier=True,
        )
        for s in order.shipments
        if s.state == "active"
    ]


class Intake:
    def __init__(
        self,
        pool: asyncpg.Pool,
        starter: StartTracking,
        topics: Topics,
        metrics: TrackerMetrics,
        policy: SchedulePolicy,
        dead_letters: DeadLetters,
        *,
        clock: Clock,
        rng: random.Random,
    ) -> None:
        self.pool, self.starter, self.topics, self.metrics = pool, starter, topics, metrics
        self.policy, self.dead_letters, self.clock, self.rng = policy, dead_letters, clock, rng

    async def _parse(
        self, records: Sequence[ConsumedRecord]
    ) -> tuple[list[OrderEvent], list[ShipmentStatusEvent], list[ReturnEvent]]:
        orders: list[OrderEvent] = []
        events: list[ShipmentStatusEvent] = []
        returns: list[ReturnEvent] = []
        invalid: list[tuple[ConsumedRecord, BaseException]] = []
        for record in records:
            try:
                if record.topic == self.topics.orders:
                    orders.append(OrderEvent.model_validate_json(record.value or b""))
                elif record.topic == self.topics.status:
                    events.append(ShipmentStatusEvent.model_validate_json(record.value or b""))
                elif self.topics.returns and record.topic == self.topics.returns:
                    returns.append(ReturnEvent.model_validate_json(record.value or b""))
            except ValidationError as exc:
                invalid.append((record, exc))
        if invalid:
            await self.send(invalid)
        return orders, events, returns

    async def send(self, failures: Sequence[tuple[ConsumedRecord, BaseException]]) -> None:
        """Dead letters (the shared subscriber sends the records it splits out here too)."""
        await self.dead_letters.send(failures)
        for record, exc in failures:
            self.metrics.consumed.labels(record.topic, "dead_lettered").inc()
            log.error(
                "record dead-lettered (%s offset %d: %s)",
                record.topic, record.offset, type(exc).__name__,
            )  # fmt: skip

    async def process(self, records: Sequence[ConsumedRecord]) -> None:
        orders, events, returns = await self._parse(records)
        now = self.clock()
        outcomes: list[tuple[str, str]] = []  # counted once committed
        async with self.pool.acquire() as conn, conn.transaction():
            for order in orders:
                await self._order(conn, order, now)
                outcomes.append((self.topics.orders, "applied"))
            for event in returns:
                request = return_request(event)
                if request is not None:
                    await self._start(conn, request, now, "returns")
                outcomes.append((self.topics.returns, "applied"))
            # One update per parcel: its newest event (older ones change nothing anyway).
            latest: dict[tuple[str, str], ShipmentStatusEvent] = {}
            for e in events:
                key = (e.carrier, normalize_tracking_number(e.tracking_number))
                if key not in latest or e.occurred_at >= latest[key].occurred_at:
                    latest[key] = e
            for key in sorted(latest):  # one lock order for every instance: no deadlock
                applied = await self._status(conn, key, latest[key], now)
                outcomes.append((self.topics.status, "applied" if applied else "ignored"))
            # Older events of a parcel in the same batch: nothing more to learn from them.
            outcomes += [(self.topics.status, "applied")] * (len(events) - len(latest))
        for topic, outcome in outcomes:
            self.metrics.consumed.labels(topic, outcome).inc()

    async def _order(self, conn: asyncpg.Connection, order: OrderEvent, now: datetime) -> None:
        for request in shipment_requests(order):
            await self._start(conn, request, now, "orders")

    async def _start(
        self, conn: asyncpg.Connection, request: StartRequest, now: datetime, origin: str
    ) -> None:
        try:
            started = await self.starter.start(conn, request, now)
        except Refused as refused:
            self.metrics.started.labels(origin, "refused").inc()
            log.info("%s parcel not tracked: %s", origin, refused.code)
            return
        result = "created" if started.created else "existing"
        self.metrics.started.labels(origin, result).inc()

    async def _guessed_wrong(
        self, conn: asyncpg.Connection, carrier: str, number: str
    ) -> asyncpg.Record | None:
        """A `carrier_uncertain` tracking of this number under another detected carrier: its
        source found the parcel at `carrier` (aggregators detect too), so the guess is
        corrected to it (the events then confirm it, below). Looked up by the detected
        candidates, through the (carrier, number) key: never a scan."""
        others = [c.carrier for c in detect(number) if c.carrier != carrier]
        if not others:
            return None
        row = await conn.fetchrow(_LOCK_GUESSED, others, number, State.CARRIER_UNCERTAIN.value)
        if row is None:
            return None
        corrected: asyncpg.Record | None = await conn.fetchrow(_CORRECT, row["id"], carrier)
        return corrected

    async def _status(
        self,
        conn: asyncpg.Connection,
        key: tuple[str, str],
        event: ShipmentStatusEvent,
        now: datetime,
    ) -> bool:
        row = await conn.fetchrow(_LOCK, *key) or await self._guessed_wrong(conn, *key)
        if row is None:  # a parcel the tracker does not follow (webhooks set up elsewhere)
            return False
        before = tracking_of(row)
        promised = event.estimated_delivery.latest if event.estimated_delivery else None
        t = learn_status(
            before, event.status.value, event.occurred_at, event.received_at, promised, now
        )
        due = row["next_due_at"]
        if row["lease_token"] is None:
            # Not leased: the new status sets the next look. Leased: the scheduler's outcome,
            # decided on this row once committed, will (moving the due time now would let
            # another instance claim the row while its call is in flight).
            due = next_due(t, now, self.policy, self.rng)
        await conn.execute(
            _LEARN, t.id, t.state.value, t.last_status, t.last_event_at, t.last_push_at,
            t.promised_date, t.terminal_at, due, now,
        )  # fmt: skip
        return True
