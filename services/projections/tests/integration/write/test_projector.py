"""The projector's batch against the real PostgreSQL: its transaction begins while the records
are read, commits with the batch, rolls back with it, and its connection always goes back to the
pool; a batch of nothing but unreadable records needs no database at all."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import asyncpg
import pytest
from prometheus_client import CollectorRegistry
from pydantic import SecretStr

from suivi_infra.testing import RecordingSink
from suivi_infra.tokens import DEVELOPMENT_TOKEN_KEY
from suivi_projections.metrics import ProjectionsMetrics
from suivi_projections.testing.samples import T0, order_event, status_event
from suivi_projections.write import projector as projector_module
from suivi_projections.write.projector import Projector
from suivi_schemas import ShipmentStatus

STATUS, ORDERS, DLQ = "status", "orders", "dlq"


@dataclass(frozen=True, slots=True)
class Record:
    topic: str
    value: bytes | None
    partition: int = 0
    offset: int = 0
    key: bytes | None = None
    headers: Sequence[tuple[str, bytes]] = field(default_factory=tuple)


def projector(pool: Any, sink: RecordingSink) -> Projector:
    return Projector(
        pool, sink, ProjectionsMetrics(CollectorRegistry()), status_topic=STATUS,
        orders_topic=ORDERS, dlq_topic=DLQ, token_key=SecretStr(DEVELOPMENT_TOKEN_KEY),
    )  # fmt: skip


def batch() -> list[Record]:
    placed = order_event("acme", "1001", shipments=[("ups", "1Z999AA1", [("li-1", 1)])])
    events = [
        status_event("ups", "1Z999AA1", T0, ShipmentStatus.INFO_RECEIVED),
        status_event("ups", "1Z999AA1", T0.replace(hour=15), ShipmentStatus.IN_TRANSIT),
    ]
    return [
        Record(ORDERS, placed.model_dump_json().encode()),
        *(Record(STATUS, e.model_dump_json().encode()) for e in events),
        Record(STATUS, b'{"oops": true}'),
    ]


async def all_idle(pool: asyncpg.Pool) -> bool:
    for _ in range(100):
        if pool.get_idle_size() == pool.get_size():
            return True
        await asyncio.sleep(0.01)
    return False


async def test_a_batch_commits_and_gives_its_connection_back(pool: asyncpg.Pool) -> None:
    sink = RecordingSink()
    result = await projector(pool, sink).process(batch())
    assert (result.records, result.dead_lettered) == (4, 1)
    assert sum(result.applied.applied.values()) == 2 and result.applied.orders_applied == 1
    assert len(result.applied.notified) == 1
    assert [s.topic for s in sink.sent] == [DLQ]
    assert await pool.fetchval("SELECT status FROM orders") == "in_transit"
    assert await all_idle(pool)


async def test_a_failing_batch_rolls_back_and_gives_its_connection_back(
    pool: asyncpg.Pool, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def broken(conn: asyncpg.Connection, links: Sequence[object]) -> int:
        raise RuntimeError("after the batch's writes")

    monkeypatch.setattr(projector_module, "apply_links", broken)
    sink = RecordingSink()
    with pytest.raises(RuntimeError):
        await projector(pool, sink).process(batch())
    assert await pool.fetchval("SELECT count(*) FROM shipment_events") == 0
    assert await pool.fetchval("SELECT count(*) FROM orders") == 0
    assert sink.sent == []  # the batch is consumed again (or split): no dead letter yet
    assert await all_idle(pool)


class NoDatabase:
    """A pool whose server is away."""

    acquired = 0

    async def acquire(self) -> asyncpg.Connection:
        self.acquired += 1
        raise ConnectionRefusedError("PostgreSQL away")


async def test_unreadable_records_are_dead_lettered_without_a_database() -> None:
    sink, away = RecordingSink(), NoDatabase()
    unreadable = [Record(STATUS, b'{"oops": true}'), Record(ORDERS, b"not json")]
    result = await projector(away, sink).process(unreadable)
    assert (result.records, result.dead_lettered) == (2, 2)
    assert len(sink.on(DLQ)) == 2
    # Readable ones need it: the batch fails, to be consumed again.
    with pytest.raises(ConnectionRefusedError):
        await projector(away, sink).process(batch())
    assert len(sink.on(DLQ)) == 2


async def test_records_of_other_topics_open_no_transaction() -> None:
    sink, away = RecordingSink(), NoDatabase()
    result = await projector(away, sink).process([Record("elsewhere", b"{}")])
    assert result.dead_lettered == 1 and away.acquired == 0
