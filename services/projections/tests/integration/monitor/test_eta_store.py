"""The delivery-prediction model over the real PostgreSQL (issue 21): generated journeys go in
through the write path, come back out of the read model as the same journeys (scans, first
attempt, the carrier's dates), and the stored model predicts as the pure one learned from
them."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import asyncpg

from suivi_projections.domain.eta_journey import Journey
from suivi_projections.monitor import eta_store
from suivi_projections.monitor.backtest import backtest
from suivi_projections.monitor.backtest_report import format_report
from suivi_projections.monitor.eta_generate import generate
from suivi_projections.testing.samples import status_event
from suivi_projections.write.batch import apply_batch
from suivi_schemas import ShipmentStatus, ShipmentStatusEvent

NOW = datetime(2025, 1, 10, tzinfo=UTC)


def events(journey: Journey, number: str) -> list[ShipmentStatusEvent]:
    given = dict(journey.carrier_estimates)
    out = [
        status_event(journey.carrier, number, s.at, s.status, code=f"{s.status.value}{k}",
                     country=s.country, reason=s.reason, eta=given.get(s.at))
        for k, s in enumerate(journey.scans)
    ]  # fmt: skip
    assert journey.attempted_at is not None
    out.append(status_event(journey.carrier, number, journey.attempted_at,
                            ShipmentStatus.DELIVERED, country=journey.destination))  # fmt: skip
    return out


async def test_journeys_round_trip_and_the_stored_model_predicts_as_the_pure_one(
    pool: asyncpg.Pool,
) -> None:
    journeys = generate(120, seed=5)
    async with pool.acquire() as conn:
        async with conn.transaction():
            batch = [e for n, j in enumerate(journeys) for e in events(j, f"P{n}")]
            await apply_batch(conn, batch, [])
        await conn.executemany(
            "UPDATE shipment_insights SET service = $3, origin_country = $4,"
            " destination_country = $5 WHERE carrier = $1 AND tracking_number = $2",
            [(j.carrier, f"P{n}", j.service, j.origin, j.destination)
             for n, j in enumerate(journeys)],
        )  # fmt: skip
        loaded = await eta_store.load_journeys(conn, datetime(2023, 1, 1, tzinfo=UTC))
        # The read model also holds the attempt itself: the journeys up to it are the same.
        before = [
            replace(j, scans=tuple(s for s in j.scans if j.attempted_at and s.at < j.attempted_at))
            for j in sorted(loaded, key=lambda j: j.scans[0].at)
        ]
        assert before == journeys
        # `make backtest` on the read model: the same journeys, the same table.
        report = format_report(backtest(loaded), "read model", targets_too=False)
        assert report == format_report(backtest(journeys), "read model", targets_too=False)
        assert "ETA backtest on 120 parcels (read model)" in report
        assert await eta_store.load_journeys(conn, NOW) == []

        assert await eta_store.learn(conn, NOW, window_days=800) == len(journeys)
        stored = await eta_store.load_model(conn)
        pure = eta_store.learn_model(journeys)
        later = generate(40, seed=6)
        predicted = 0
        for journey in later:
            for situation in journey.situations():
                shifted = situation.__class__(**{
                    **{f: getattr(situation, f) for f in situation.__slots__},
                    "at": situation.at + timedelta(days=366),
                })  # fmt: skip
                p, q = stored.predict(shifted), pure.predict(shifted)
                assert p is not None and q is not None
                assert (p.earliest, p.likeliest, p.latest) == (q.earliest, q.likeliest, q.latest)
                assert abs(p.confidence - q.confidence) < 1e-6
                predicted += 1
        assert predicted > 40
