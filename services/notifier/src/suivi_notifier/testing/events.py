"""Builders of the records the notifier consumes, and an in-memory Kafka side for tests that
exercise the decisions and sends without the broker."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from suivi_notifier.adapters.pg_outbox import OutboxRecord
from suivi_schemas import (
    AlertKind,
    NotificationResult,
    OrderEvent,
    ShipmentAlert,
    ShipmentStatus,
    ShipmentStatusEvent,
)
from suivi_schemas.claims import ClaimEvent
from suivi_schemas.ids import checkpoint_event_id, derived_event_id
from suivi_schemas.orders import Customer, NotificationOptIns, OrderShipment, OrderSource
from suivi_schemas.returns import ReturnEvent


@dataclass
class Record:
    topic: str
    value: bytes | None
    key: bytes | None = None
    partition: int = 0
    offset: int = 0
    headers: Sequence[tuple[str, bytes]] = ()


def order(
    number: str = "1001",
    *,
    merchant: str = "shop",
    email: str | None = "jane@example.com",
    phone: str | None = "+33612345678",
    name: str | None = "Jane",
    locale: str = "en",
    timezone: str = "Europe/Paris",
    opt_email: bool = True,
    opt_sms: bool = False,
    opt_push: bool = False,
    shipments: Sequence[tuple[str, str]] = (("ups", "1Z999AA10123456784"),),
    updated_at: datetime | None = None,
    cancelled: bool = False,
) -> OrderEvent:
    at = updated_at or datetime.now(UTC)
    return OrderEvent(
        event_id=uuid.uuid4(),
        merchant_id=merchant,
        order_number=number,
        source=OrderSource.API,
        placed_at=at - timedelta(days=1),
        updated_at=at,
        cancelled=cancelled,
        customer=Customer(email=email, phone=phone, name=name, locale=locale, timezone=timezone),
        notifications=NotificationOptIns(email=opt_email, sms=opt_sms, push=opt_push),
        shipments=tuple(OrderShipment(carrier=c, tracking_number=t) for c, t in shipments),
    )


def status(
    status: ShipmentStatus | str,
    occurred_at: datetime,
    *,
    carrier: str = "ups",
    tracking_number: str = "1Z999AA10123456784",
) -> ShipmentStatusEvent:
    value = ShipmentStatus(status)
    return ShipmentStatusEvent(
        event_id=checkpoint_event_id(
            carrier=carrier, tracking_number=tracking_number, occurred_at=occurred_at,
            code=value.value,
        ),
        provider="suivi",
        carrier=carrier,
        tracking_number=tracking_number,
        status=value,
        occurred_at=occurred_at,
        received_at=occurred_at,
        raw_event_id=uuid.uuid4(),
    )  # fmt: skip


def alert(
    kind: AlertKind | str,
    episode: uuid.UUID,
    *,
    last_event_at: datetime,
    detected_at: datetime | None = None,
    expected_by: datetime | None = None,
    status: ShipmentStatus | str = ShipmentStatus.IN_TRANSIT,
    carrier: str = "ups",
    tracking_number: str = "1Z999AA10123456784",
) -> ShipmentAlert:
    """An alert as the projections publish it (event id deterministic from episode and kind)."""
    value = AlertKind(kind)
    return ShipmentAlert(
        event_id=derived_event_id("alert", str(episode), value.value),
        episode_id=episode, kind=value, carrier=carrier, tracking_number=tracking_number,
        status=ShipmentStatus(status), last_event_at=last_event_at,
        detected_at=detected_at or datetime.now(UTC), expected_by=expected_by,
    )  # fmt: skip


def record(
    topic: str,
    event: OrderEvent | ShipmentStatusEvent | ShipmentAlert | ReturnEvent | ClaimEvent,
    offset: int = 0,
) -> Record:
    return Record(topic, event.model_dump_json().encode(), event.key.encode(), 0, offset)


@dataclass
class MemoryKafka:
    """Results and dead letters kept in memory, acknowledged at once."""

    results: list[NotificationResult] = field(default_factory=list)
    dead: list[tuple[Any, BaseException]] = field(default_factory=list)

    async def publish_results(self, records: list[OutboxRecord]) -> list[Awaitable[Any]]:
        self.results.extend(NotificationResult.model_validate_json(r.payload) for r in records)
        return []

    async def send(self, failures: Sequence[tuple[Any, BaseException]]) -> None:
        self.dead.extend(failures)


class Clock:
    """A settable clock for the decisions (debounce, quiet hours, backoff)."""

    def __init__(self, now: datetime | None = None) -> None:
        self.now = now or datetime.now(UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> datetime:
        self.now += timedelta(**delta)
        return self.now
