"""The stall / late monitor: due generations → rules (`domain.watch`) → `tracking.alerts.v1`.

Each tick claims due rows of `shipment_insights` (`FOR UPDATE SKIP LOCKED`: two instances never
judge the same shipment at once), derives their facts, records the alerts (primary key = the
deterministic event id: an alert recorded once is never published again), publishes the newly
recorded ones and waits for the broker's acks, then saves the next due time; all in one
transaction. A failure rolls everything back and the rows are judged again at the next tick.
The one window left, a crash between the acks and the commit, re-publishes the same event ids,
which consumers deduplicate.

Learning (thresholds of silence, the delivery-prediction model) runs every `learn_interval`, by
one instance at a time (advisory lock).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

import asyncpg

from suivi_infra.records import OutRecord, RecordSink
from suivi_projections.db.notify import ORDER_CHANGED_CHANNEL
from suivi_projections.db.rows import optional
from suivi_projections.domain.eta_model import EtaModel
from suivi_projections.domain.watch import (
    Alert,
    Facts,
    StallDefaults,
    Thresholds,
    Verdict,
    evaluate,
)
from suivi_projections.metrics import ProjectionsMetrics
from suivi_projections.monitor import eta_predict, eta_store, sql
from suivi_schemas import (
    EstimateSource,
    Location,
    ShipmentAlert,
    ShipmentStatus,
    Substatus,
)

log = logging.getLogger(__name__)
Clock = Callable[[], datetime]


def utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True, slots=True)
class MonitorConfig:
    alerts_topic: str
    batch_size: int = 500
    check_interval: timedelta = timedelta(seconds=5)
    learn_interval: timedelta = timedelta(hours=1)
    history: timedelta = timedelta(days=180)  # learn from events/deliveries this recent
    stall_percentile: float = 0.95
    stall_min_samples: int = 30
    transit_min_samples: int = 20  # unused since issue 21: levels are shrunk, not cut
    defaults: StallDefaults = field(default_factory=StallDefaults)


@dataclass(slots=True)
class TickResult:
    checked: int = 0
    published: int = 0


@dataclass
class Monitor:
    pool: asyncpg.Pool
    sink: RecordSink
    config: MonitorConfig
    metrics: ProjectionsMetrics | None = None
    clock: Clock = utcnow
    # What `learn` last loaded: stall thresholds and transit times.
    thresholds: Thresholds = field(init=False)
    model: EtaModel = field(init=False, default_factory=EtaModel)

    def __post_init__(self) -> None:
        self.thresholds = Thresholds(defaults=self.config.defaults)

    async def run(self, stop: asyncio.Event) -> None:
        """Learns, then checks every `check_interval` (and learns again every `learn_interval`)
        until `stop` is set; a failed round is logged and retried at the next one."""
        learned_at: datetime | None = None
        while not stop.is_set():
            try:
                now = self.clock()
                if learned_at is None or now - learned_at >= self.config.learn_interval:
                    await self.learn(now)
                    learned_at = now
                await self.tick()
            except Exception:
                log.exception("monitor round failed; retrying in %s", self.config.check_interval)
                if self.metrics is not None:
                    self.metrics.monitor_failures.inc()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), self.config.check_interval.total_seconds())

    async def learn(self, now: datetime | None = None) -> None:
        """Re-learns thresholds and transit times (if no other instance is), then reloads them."""
        now = now or self.clock()
        c = self.config
        async with self.pool.acquire() as conn:
            async with conn.transaction():
                if await conn.fetchval(sql.TRY_LEARN_LOCK):
                    rows = await conn.fetch(
                        sql.LEARN_THRESHOLDS, now - c.history, timedelta(days=60),
                        c.stall_percentile, c.stall_min_samples,
                    )  # fmt: skip
                    await conn.execute("DELETE FROM stall_thresholds")
                    await conn.execute(
                        sql.REPLACE_THRESHOLDS, [r[0] for r in rows], [r[1] for r in rows],
                        [r[2] for r in rows], [r[3] for r in rows], [r[4] for r in rows],
                        [now] * len(rows),
                    )  # fmt: skip
                    await eta_store.learn(conn, now, window_days=c.history.days)
            learned = {
                (r[0], r[1], r[2]): (r[3], r[4]) for r in await conn.fetch(sql.LOAD_THRESHOLDS)
            }
            self.model = await eta_store.load_model(conn)
        self.thresholds = Thresholds(learned, c.defaults)

    async def tick(self) -> TickResult:
        """Judges every due generation, batch after batch, until none is due."""
        total = TickResult()
        while True:
            result = await self._batch(self.clock())
            total.checked += result.checked
            total.published += result.published
            if result.checked < self.config.batch_size:
                return total

    async def _batch(self, now: datetime) -> TickResult:
        async with self.pool.acquire() as conn, conn.transaction():
            rows = await conn.fetch(sql.CLAIM_DUE, now, self.config.batch_size)
            if not rows:
                return TickResult()
            judged: list[tuple[Any, Facts, Verdict]] = []
            orphans = [row for row in rows if row["event_count"] is None]
            live = [row for row in rows if row["event_count"] is not None]
            # The merchants' promised days: the late watch and trending late judge by them.
            promises = await eta_predict.merchant_promises(conn, [_key(r) for r in live])
            for row in live:
                facts = _facts(row, promises.get(_key(row)))
                judged.append((row, facts, evaluate(facts, self.thresholds, now)))
            alerts = [
                (_contract(facts, alert, now), alert.episode_kind.value)
                for _, facts, verdict in judged for alert in verdict.alerts
            ]  # fmt: skip
            published = await self._record_and_publish(conn, alerts)
            await self._save(conn, judged, now)
            # Predicted again from the newest scan (issue 21), after the save it refines.
            facts_of = {f.key: f for _, f, _ in judged}
            currents = await eta_predict.repredict(
                conn, self.model, sorted(facts_of), now, promises
            )
            revised = [(c.key, eta_predict.revised_alert(c)) for c in currents]
            published += await self._record_and_publish(
                conn,
                [(_contract(facts_of[key], a, now), a.episode_kind.value)
                 for key, a in revised if a is not None and facts_of[key].status is not None],
            )  # fmt: skip
            if published:
                keys = sorted({(a.carrier, a.tracking_number, a.generation) for a in published})
                columns = [list(c) for c in zip(*keys, strict=True)]
                await conn.execute(sql.NOTIFY_ORDERS, *columns, ORDER_CHANGED_CHANNEL)
            if orphans:
                await conn.execute(sql.DROP_ORPHANS, *_key_columns(orphans))
        if self.metrics is not None:
            self.metrics.monitor_checks.inc(len(rows))
            for alert in published:
                self.metrics.alerts.labels(alert.kind.value).inc()
        return TickResult(len(rows), len(published))

    async def _record_and_publish(
        self, conn: asyncpg.Connection, alerts: Sequence[tuple[ShipmentAlert, str]]
    ) -> list[ShipmentAlert]:
        """alerts: (the alert, the kind of episode it belongs to: a recovered one closes one)."""
        if not alerts:
            return []
        a = [x for x, _ in alerts]
        fresh = {
            r[0]
            for r in await conn.fetch(
                sql.RECORD_ALERTS, [x.event_id for x in a], [x.episode_id for x in a],
                [x.kind.value for x in a], [kind for _, kind in alerts],
                [x.carrier for x in a], [x.tracking_number for x in a],
                [x.generation for x in a], [x.status.value for x in a],
                [x.location.model_dump_json() if x.location else None for x in a],
                [x.last_event_at for x in a], [x.detected_at for x in a],
                [x.expected_by for x in a], [x.detail for x in a],
            )
        }  # fmt: skip
        new = [x for x in a if x.event_id in fresh]
        records = [OutRecord(x.key.encode(), x.model_dump_json().encode()) for x in new]
        await asyncio.gather(*await self.sink.publish(self.config.alerts_topic, records))
        return new

    async def _save(
        self, conn: asyncpg.Connection, judged: list[tuple[Any, Facts, Verdict]], now: datetime
    ) -> None:
        if not judged:
            return
        cols: list[list[Any]] = [[] for _ in range(17)]
        for row, facts, verdict in judged:
            # Kept as they are here: eta_predict.repredict sets them after this save.
            predicted = (
                row["predicted_earliest"],
                row["predicted_latest"],
                row["predicted_samples"],
            )
            threshold = verdict.threshold.value if verdict.threshold else None
            values = (
                facts.carrier, facts.tracking_number, facts.generation, verdict.due_at, now,
                facts.origin, facts.destination, row["service"], row["pickup_at"],
                row["delivered_at"],
                row["promised_latest"], *predicted, threshold, verdict.stall_episode,
                verdict.late_episode,
            )  # fmt: skip
            for column, value in zip(cols, values, strict=True):
                column.append(value)
        await conn.execute(sql.SAVE_INSIGHTS, *cols)


def _key_columns(rows: Sequence[Any]) -> tuple[list[str], list[str], list[int]]:
    return (
        [r["carrier"] for r in rows],
        [r["tracking_number"] for r in rows],
        [r["generation"] for r in rows],
    )


def _key(row: Any) -> tuple[str, str, int]:
    return row["carrier"], row["tracking_number"], row["generation"]


def _facts(row: Any, merchant_promised: date | None) -> Facts:
    location = row["location"]
    return Facts(
        carrier=row["carrier"],
        tracking_number=row["tracking_number"],
        generation=row["generation"],
        status=optional(ShipmentStatus, row["status"]),
        last_event_id=row["last_event_id"],
        last_event_at=row["last_event_at"],
        location=Location.model_validate(json.loads(location)) if location else None,
        origin=row["origin"],
        destination=row["destination"],  # both sources hold validated ISO codes
        eta_latest=row["eta_latest"],
        eta_source=optional(EstimateSource, row["eta_source"]),
        stall_episode=row["stall_episode"],
        late_episode=row["late_episode"],
        substatus=optional(Substatus, row["substatus"]),
        handed_over=row["handed_over"],
        merchant_promised=merchant_promised,
    )


def _contract(facts: Facts, alert: Alert, now: datetime) -> ShipmentAlert:
    assert facts.status is not None and facts.last_event_at is not None  # evaluate() checked
    return ShipmentAlert(
        event_id=alert.event_id,
        episode_id=alert.episode_id,
        kind=alert.kind,
        carrier=facts.carrier,
        tracking_number=facts.tracking_number,
        generation=facts.generation,
        status=facts.status,
        location=facts.location,
        last_event_at=facts.last_event_at,
        detected_at=now,
        expected_by=alert.expected_by,
        detail=alert.detail,
        promise_source=alert.promise_source,
        promised_date=alert.promised_date,
    )
