"""The consumed batch on PostgreSQL (records handed over as the subscriber does): statuses are
learned newest-first and never rolled back; a guessed carrier the source contradicts is
corrected; parcels the tracker does not follow are ignored; a return parcel attached on
commerce.returns.v1 starts a tracking once, linked to the merchant and order."""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass, field
from datetime import timedelta

import asyncpg
import pytest
from prometheus_client import CollectorRegistry

from suivi_infra.dlq import DeadLetterQueue
from suivi_infra.testing import RecordingSink
from suivi_schemas.events import ShipmentStatusEvent
from suivi_schemas.returns import (
    ReturnEvent,
    ReturnEventKind,
    ReturnItem,
    ReturnMethod,
    ReturnParcel,
    ReturnState,
)
from suivi_schemas.status import ShipmentStatus
from suivi_tracker.db.migrate import migrate
from suivi_tracker.domain.schedule import SchedulePolicy
from suivi_tracker.domain.sources import Mode
from suivi_tracker.handlers.intake import Intake, Topics
from suivi_tracker.handlers.start import StartRequest, StartTracking
from suivi_tracker.metrics import TrackerMetrics
from suivi_tracker.testing.fakes import FakeSource
from suivi_tracker.testing.harness import T0, SettableClock

pytestmark = pytest.mark.integration
TOPICS = Topics(orders="orders", status="status", returns="returns")
AMBIGUOUS = "9261292700768711948021"  # detected usps 0.65, fedex 0.35, …


@dataclass
class Record:
    topic: str
    value: bytes
    partition: int = 0
    offset: int = 0
    key: bytes | None = None
    headers: list[tuple[str, bytes]] = field(default_factory=list)


def status(carrier: str, number: str, value: ShipmentStatus, hours: int) -> Record:
    event = ShipmentStatusEvent(
        event_id=uuid.uuid4(), provider="aftership", carrier=carrier, tracking_number=number,
        status=value, occurred_at=T0 + timedelta(hours=hours), received_at=T0,
        raw_event_id=uuid.uuid4(),
    )  # fmt: skip
    return Record("status", event.model_dump_json().encode())


async def setup(pool: asyncpg.Pool) -> tuple[Intake, StartTracking]:
    async with pool.acquire() as conn:
        await migrate(conn)
    source = FakeSource("aftership", Mode.PUSH, frozenset({"usps", "fedex", "ups"}))
    starter = StartTracking([source], ("aftership",), {})
    sink = RecordingSink()
    intake = Intake(
        pool, starter, TOPICS, TrackerMetrics(CollectorRegistry()), SchedulePolicy(),
        DeadLetterQueue(sink, "dlq"), clock=SettableClock(T0), rng=random.Random(1),
    )  # fmt: skip
    return intake, starter


async def test_a_guessed_carrier_the_source_contradicts_is_corrected(pg_pool: asyncpg.Pool) -> None:
    intake, starter = await setup(pg_pool)
    async with pg_pool.acquire() as conn:
        started = await starter.start(conn, StartRequest(AMBIGUOUS, merchant_id="shop-a"), T0)
    assert (started.row["carrier"], started.row["state"]) == ("usps", "carrier_uncertain")
    await intake.process([status("fedex", AMBIGUOUS, ShipmentStatus.IN_TRANSIT, 1)])
    async with pg_pool.acquire() as conn:
        row = await conn.fetchrow("SELECT carrier, state, last_status FROM trackings")
    assert tuple(row) == ("fedex", "active", "in_transit")


async def test_newest_status_wins_and_unknown_parcels_are_ignored(pg_pool: asyncpg.Pool) -> None:
    intake, starter = await setup(pg_pool)
    async with pg_pool.acquire() as conn:
        await starter.start(conn, StartRequest("1Z999AA10123456784", merchant_id="shop-a"), T0)
    await intake.process([
        status("ups", "1Z999AA10123456784", ShipmentStatus.OUT_FOR_DELIVERY, 5),
        status("ups", "1Z999AA10123456784", ShipmentStatus.IN_TRANSIT, 2),
        status("ups", "1Z000000000000000000", ShipmentStatus.DELIVERED, 6),
    ])  # fmt: skip
    await intake.process([status("ups", "1Z999AA10123456784", ShipmentStatus.IN_TRANSIT, 3)])
    async with pg_pool.acquire() as conn:
        rows = await conn.fetch("SELECT last_status, last_event_at FROM trackings")
    assert [tuple(r) for r in rows] == [("out_for_delivery", T0 + timedelta(hours=5))]
    await intake.process([status("ups", "1Z999AA10123456784", ShipmentStatus.DELIVERED, 7)])
    async with pg_pool.acquire() as conn:
        row = await conn.fetchrow("SELECT state, terminal_at, next_due_at FROM trackings")
    assert tuple(row) == ("confirming", T0, T0 + timedelta(days=1))


def returned(kind: ReturnEventKind, number: str | None = "1Z999AA10123456784") -> Record:
    event = ReturnEvent(
        event_id=uuid.uuid4(), kind=kind, merchant_id="shop-a", return_id="R-ABCDEFGH",
        order_number="1001", state=ReturnState.APPROVED, occurred_at=T0,
        method=ReturnMethod.OWN_SHIPMENT,
        items=(ReturnItem(line_item_id="l1", quantity=1, reason="too_small"),),
        parcel=ReturnParcel(carrier="ups", tracking_number=number) if number else None,
    )  # fmt: skip
    return Record("returns", event.model_dump_json().encode())


async def test_an_attached_return_parcel_starts_a_tracking_once(pg_pool: asyncpg.Pool) -> None:
    intake, _ = await setup(pg_pool)
    attached = returned(ReturnEventKind.TRACKING_ATTACHED)
    # Other kinds start nothing, even with a parcel (dropped off, received …).
    await intake.process([returned(ReturnEventKind.APPROVED, None), attached, attached])
    await intake.process([attached, returned(ReturnEventKind.DROPPED_OFF, "1Z999AA10123456791")])
    async with pg_pool.acquire() as conn:
        rows = await conn.fetch(
            "SELECT t.carrier, t.tracking_number, l.merchant_id, l.order_number, l.title"
            " FROM trackings t JOIN tracking_links l ON l.tracking_id = t.id"
        )
    assert [tuple(r) for r in rows] == [
        ("ups", "1Z999AA10123456784", "shop-a", "1001", "Return R-ABCDEFGH")
    ]
