"""Stall rules for parcels that cross borders and change hands (issue 17), on PostgreSQL: a
customs wait as long as history says is normal is not a stall, while the same silence in
transit is; a leg handed over to the next carrier is not stalled by its own silence."""

from __future__ import annotations

from datetime import datetime, timedelta

import asyncpg

from suivi_infra.testing import RecordingSink
from suivi_projections.monitor.worker import Monitor, MonitorConfig
from suivi_projections.testing.samples import T0, status_event
from suivi_projections.write.batch import apply_batch
from suivi_projections.write.legs import apply_links
from suivi_schemas import ShipmentAlert, ShipmentStatus, ShipmentStatusEvent, Substatus
from suivi_schemas.legs import LegLinkEvent, LinkSource

S, X = ShipmentStatus, Substatus
D, H = timedelta(days=1), timedelta(hours=1)


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


async def _apply(
    pool: asyncpg.Pool, events: list[ShipmentStatusEvent], links: tuple[LegLinkEvent, ...] = ()
) -> None:
    async with pool.acquire() as conn, conn.transaction():
        await apply_batch(conn, events, [])
        await apply_links(conn, links)


def _scan(
    carrier: str, number: str, at: datetime, status: ShipmentStatus = S.IN_TRANSIT, **kw: object
) -> ShipmentStatusEvent:
    kw.setdefault("city", "Roissy")
    kw.setdefault("country", "FR")
    return status_event(carrier, number, at, status, **kw)  # type: ignore[arg-type]


def _crossing(number: str, start: datetime, customs: timedelta) -> list[ShipmentStatusEvent]:
    """CN → FR: scans every 30 hours, then customs for `customs`, then delivered."""
    at = start
    events = [status_event("cainiao", number, at, S.IN_TRANSIT, city="Shenzhen", country="CN")]
    at += 30 * H
    events.append(status_event("cainiao", number, at, S.IN_TRANSIT, substatus=X.CUSTOMS_PROCESSING,
                               code="customs", city="Roissy", country="FR"))  # fmt: skip
    at += customs
    events.append(status_event("cainiao", number, at, S.IN_TRANSIT, substatus=X.CUSTOMS_CLEARED,
                               code="cleared", city="Roissy", country="FR"))  # fmt: skip
    events.append(
        status_event("cainiao", number, at + 30 * H, S.DELIVERED, city="Paris", country="FR")
    )
    return events


async def test_customs_waits_are_learned_apart_and_legs_handed_over_are_not_stalled(
    pool: asyncpg.Pool,
) -> None:
    history = [e for i in range(40) for e in _crossing(f"LP{i:014}", T0 + i * H, 5 * D)]
    await _apply(pool, history)
    clock = Clock(T0 + 30 * D)
    sink = RecordingSink()
    watcher = Monitor(pool, sink, MonitorConfig(alerts_topic="alerts"), clock=clock)
    await watcher.tick()  # lanes of the history
    await watcher.learn()
    rows = await pool.fetch(
        "SELECT status, lane, threshold FROM stall_thresholds WHERE carrier = 'cainiao'"
    )
    learned = {(r[0], r[1]): r[2] for r in rows}
    assert learned[("customs", "CN>FR")] == 5 * D  # learned apart from transit's 30 hours
    assert learned[("in_transit", "CN>FR")] == 30 * H

    now = T0 + 40 * D
    at_customs = [  # 4 days 23 hours at customs: as long as usual, not a stall
        _scan("cainiao", "LPCUSTOMS", now - 6 * D, city="Shenzhen", country="CN"),
        _scan("cainiao", "LPCUSTOMS", now - 5 * D + H, substatus=X.CUSTOMS_PROCESSING,
              code="customs"),
    ]  # fmt: skip
    silent = [  # the same silence in transit: stalled
        _scan("cainiao", "LPSILENT", now - 6 * D, city="Shenzhen", country="CN"),
        _scan("cainiao", "LPSILENT", now - 5 * D + H),
    ]
    handed = [  # Cainiao silent for 5 days since it handed the parcel to La Poste
        _scan("cainiao", "LPHANDED", now - 6 * D, city="Shenzhen", country="CN"),
        _scan("cainiao", "LPHANDED", now - 5 * D + H),
        _scan("laposte", "6A18987654321", now - 5 * D + 2 * H),
        _scan("laposte", "6A18987654321", now - 2 * H, S.OUT_FOR_DELIVERY, city="Paris"),
    ]
    link = LegLinkEvent.of(
        ("cainiao", "LPHANDED"), ("laposte", "6A18987654321"),
        source=LinkSource.LAST_MILE, provider="aftership", linked_at=now,
    )  # fmt: skip
    await _apply(pool, at_customs + silent + handed, (link,))
    clock.now = now
    sink.sent.clear()
    await watcher.tick()
    stalled = sorted(ShipmentAlert.model_validate_json(r.value).tracking_number for r in sink.sent)
    assert stalled == ["LPSILENT"]
