"""A batch applied in parts (write.batch: each part's statements on their way while Python works
on another's) ends in the same read model as in one pass: the property of
test_reference_vs_postgres with any number of parts, status rows given at once or read later,
some of them in the wrong part (applied in a pass of their own); the tables the reference does
not model (due marks, estimates) and the notifications match one pass's; and the projector's
records, read part by part, are applied and dead-lettered as before."""

from __future__ import annotations

import functools
import random
import uuid
from collections import Counter
from datetime import timedelta
from typing import Any

import asyncpg
from prometheus_client import CollectorRegistry
from pydantic import SecretStr

from suivi_infra.testing import RecordingSink
from suivi_infra.tokens import DEVELOPMENT_TOKEN_KEY
from suivi_projections.db.rows import StatusRow, status_row
from suivi_projections.metrics import ProjectionsMetrics
from suivi_projections.testing.samples import status_event, workload
from suivi_projections.testing.snapshot import SHIPMENTS, read_state
from suivi_projections.testing.streams import (
    Item,
    any_history_in_postgres,
    arrival,
    batches,
    in_memory,
)
from suivi_projections.write.batch import ApplyResult, apply_batch
from suivi_projections.write.projector import Projector
from suivi_schemas import OrderEvent, ShipmentStatusEvent

TABLES = (
    "processed_events, shipment_events, shipments, order_shipments, orders, order_fulfillments, "
    "shipment_insights, estimate_observations"
)


def in_parts(
    statuses: list[StatusRow], parts: int, rng: random.Random
) -> tuple[list[StatusRow], list[functools.partial[list[StatusRow]]]]:
    """The rows given at once, and lists read later, each row in a random one of them (its
    part's or not)."""
    lists: list[list[StatusRow]] = [[] for _ in range(parts)]
    for row in statuses:
        lists[rng.randrange(parts)].append(row)
    return lists[0], [functools.partial(list, rows) for rows in lists[1:]]


async def apply_in_parts(
    conn: asyncpg.Connection, batch: list[Item], parts: int, rng: random.Random
) -> ApplyResult:
    statuses = [status_row(e) for e in batch if isinstance(e, ShipmentStatusEvent)]
    now, later = in_parts(statuses, parts, rng)
    async with conn.transaction():
        return await apply_batch(
            conn, now, [e for e in batch if isinstance(e, OrderEvent)], parts=parts, later=later
        )


@any_history_in_postgres
async def test_parts_match_the_pure_projection_in_any_order(
    pool: asyncpg.Pool, events: list[ShipmentStatusEvent], orders: list[OrderEvent], seed: int
) -> None:
    items: list[Item] = [*events, *orders]
    rng = random.Random(seed)
    async with pool.acquire() as conn:
        await conn.execute(f"TRUNCATE {TABLES}")
        for batch in batches(arrival(items, rng), rng):
            await apply_in_parts(conn, batch, rng.choice((2, 3, 4)), rng)
        state = await read_state(conn)
        assert state == in_memory(items).state()
        again = await apply_in_parts(conn, [*events, *orders], 3, rng)  # nothing changes
        assert again.notified == [] and await read_state(conn) == state


async def tables(conn: asyncpg.Connection) -> dict[str, Any]:
    """What the reference does not model: the monitor's due marks, the estimates observed."""
    return {
        "insights": await conn.fetch(
            "SELECT carrier, tracking_number, generation, due_at FROM shipment_insights "
            "ORDER BY 1, 2, 3"
        ),
        "observations": await conn.fetch(
            "SELECT carrier, tracking_number, checkpoint_id, earliest, latest, source, "
            "occurred_at, received_at, estimate FROM estimate_observations ORDER BY 1, 2, 3, 4, 5"
        ),
        "shipments": await conn.fetch(f"{SHIPMENTS} ORDER BY 1, 2, 3"),
        "links": await conn.fetch("SELECT * FROM order_shipments ORDER BY 1, 2, 3"),
        "statuses": await conn.fetch("SELECT order_id, status FROM orders ORDER BY 1"),
    }


def with_revisions(items: list[Item], rng: random.Random) -> list[Item]:
    """The workload with estimate revisions of some checkpoints (issue 21) among them."""
    out: list[Item] = []
    for item in items:
        out.append(item)
        if not isinstance(item, ShipmentStatusEvent):
            continue
        eta = item.estimated_delivery
        if eta is not None and rng.random() < 0.2:
            revised = status_event(
                item.carrier, item.tracking_number, item.occurred_at, item.status,
                eta=eta.latest + timedelta(days=2),
            )  # fmt: skip
            out.append(
                revised.model_copy(update={"revision_of": item.event_id, "event_id": uuid.uuid4()})
            )
    return out


async def test_parts_write_what_one_pass_writes(pool: asyncpg.Pool) -> None:
    rng = random.Random(22)
    items = with_revisions(list(workload(1500)), rng)
    stream = items + rng.sample(items, 200)  # and some again, later
    cuts = [stream[i : i + 250] for i in range(0, len(stream), 250)]
    found: list[dict[str, Any]] = []
    told: list[list[Counter[str]]] = []
    async with pool.acquire() as conn:
        for parts in (1, 3):
            await conn.execute(f"TRUNCATE {TABLES} RESTART IDENTITY")
            results = [await apply_in_parts(conn, batch, parts, rng) for batch in cuts]
            found.append(await tables(conn))
            told.append([Counter(r.notified) for r in results])
    one, three = found
    for table in one:
        assert one[table] == three[table], table
    # The same orders told per batch (a misrouted row's pass may tell one twice).
    assert [set(c) for c in told[0]] == [set(c) for c in told[1]]


class Record:
    def __init__(self, topic: str, key: bytes | None, value: bytes, offset: int) -> None:
        self.topic, self.key, self.value, self.offset = topic, key, value, offset
        self.partition, self.headers = 0, ()


async def test_the_projector_reads_and_applies_its_records_in_parts(pool: asyncpg.Pool) -> None:
    items = list(workload(1200))
    sink = RecordingSink()
    projector = Projector(
        pool, sink, ProjectionsMetrics(CollectorRegistry()), status_topic="status",
        orders_topic="orders", dlq_topic="dlq", token_key=SecretStr(DEVELOPMENT_TOKEN_KEY),
        parts=3, parts_from=10,
    )  # fmt: skip
    rng = random.Random(7)
    records = []
    for n, item in enumerate(items):
        status = isinstance(item, ShipmentStatusEvent)
        key: bytes | None = item.key.encode()
        if status and rng.random() < 0.05:
            key = b"ups:SOMETHINGELSE"  # not its shipment's key: the part guessed is checked
        elif status and rng.random() < 0.02:
            key = None
        value = item.model_dump_json().encode()
        records.append(Record("status" if status else "orders", key, value, n))
    stream: list[Record] = []
    for n, i in enumerate(range(0, len(records), 300)):
        unreadable = Record("status", b"ups:1Z", b'{"event_id": "nope"}', 10_000 + n)
        stream.extend([*records[i : i + 300], unreadable])
    dead = 0
    applied: Counter[str] = Counter()
    for i in range(0, len(stream), 301):
        result = await projector.process(stream[i : i + 301])
        dead += result.dead_lettered
        applied.update(result.applied.applied)
    async with pool.acquire() as conn:
        assert await read_state(conn) == in_memory(items).state()
    assert dead == len(stream) - len(records) == len(sink.on("dlq"))
    assert sum(applied.values()) == sum(isinstance(i, ShipmentStatusEvent) for i in items)
