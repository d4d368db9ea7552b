"""Transit times in the real PostgreSQL: delivered history in, learned percentiles out."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

import asyncpg

from suivi_projections.domain.eta import Sample, TransitModel
from suivi_projections.monitor import eta_store
from suivi_projections.monitor.backtest import generate_history

NOW = datetime(2025, 1, 10, tzinfo=UTC)
SINCE = NOW - timedelta(days=365)

INSERT = """
INSERT INTO shipment_insights (carrier, tracking_number, generation, service, origin_country,
    destination_country, pickup_at, delivered_at)
VALUES ($1, $2, 1, $3, $4, $5, $6, $7)
"""


async def insert(conn: asyncpg.Connection, rows: Sequence[Sample], prefix: str) -> None:
    await conn.executemany(
        INSERT,
        [
            (s.carrier, f"{prefix}{i}", s.service, s.origin, s.destination, s.pickup_at,
             s.delivered_at)
            for i, s in enumerate(rows)
        ],
    )  # fmt: skip


def key(s: Sample) -> tuple[object, ...]:
    return (s.carrier, s.pickup_at, s.delivered_at, s.service, s.origin, s.destination)


async def test_learn_then_load_predicts_like_the_pure_model(pool: asyncpg.Pool) -> None:
    history = generate_history(600, seed=3)
    t = datetime(2024, 6, 3, 9, tzinfo=UTC)
    ignored = [
        Sample("ups", "ground", "FR", "FR", t, t),  # delivered at the pickup instant
        Sample("ups", "ground", "FR", "FR", t, t - timedelta(days=1)),  # before the pickup
        Sample("ups", "ground", "FR", "FR", SINCE - timedelta(days=9), SINCE - timedelta(days=1)),
    ]
    async with pool.acquire() as conn:
        await insert(conn, history + ignored, "1Z")
        await conn.execute(
            "INSERT INTO shipment_insights (carrier, tracking_number, generation, pickup_at)"
            " VALUES ('ups', 'OPEN', 1, $1)",
            t,
        )
        await conn.execute(
            "INSERT INTO shipment_insights (carrier, tracking_number, generation, delivered_at)"
            " VALUES ('ups', 'NOPICKUP', 1, $1)",
            t,
        )
        loaded = await eta_store.load_samples(conn, SINCE)
        expected = [s for s in history if s.delivered_at >= SINCE]
        assert len(expected) < len(history)  # the window cuts the earliest deliveries
        assert sorted(map(key, loaded)) == sorted(map(key, expected))

        written = await eta_store.learn(conn, NOW)
        pure = TransitModel.learn(expected)
        assert written == len(pure.rows())
        model = await eta_store.load_model(conn)
        assert model.rows() == pure.rows()
        predicted = 0
        for s in history[::7]:
            shipment = (s.carrier, s.service, s.origin, s.destination, s.pickup_at)
            p = model.predict(*shipment)
            assert p == pure.predict(*shipment)
            predicted += p is not None
        assert predicted > 0
        learned_at = await conn.fetchval("SELECT DISTINCT learned_at FROM transit_times")
        assert learned_at == NOW


async def test_a_second_learn_replaces_the_rows(pool: asyncpg.Pool) -> None:
    async with pool.acquire() as conn:
        await insert(conn, generate_history(300, seed=4), "A")
        first = await eta_store.learn(conn, NOW, min_samples=5)
        assert first == await conn.fetchval("SELECT count(*) FROM transit_times")

        await conn.execute("DELETE FROM shipment_insights WHERE carrier <> 'usps'")
        later = NOW + timedelta(days=1)
        second = await eta_store.learn(conn, later, min_samples=5)
        rows = await conn.fetch("SELECT carrier, learned_at FROM transit_times")
        assert 0 < second < first
        assert len(rows) == second
        assert {(r["carrier"], r["learned_at"]) for r in rows} == {("usps", later)}

        model = await eta_store.load_model(conn, min_samples=5)
        assert model.predict("ups", None, None, None, later) is None
        assert model.predict("usps", None, None, None, later) is not None
        assert (await eta_store.load_model(conn, min_samples=10**6)).predict(
            "usps", None, None, None, later
        ) is None
