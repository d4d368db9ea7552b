"""Hand-offs between carriers (issue 17): the tracker starts tracking a newly known leg itself.

A link (tracking.legs.v1, from a provider or the legs API) whose earlier leg the tracker
follows starts the next leg's tracking, linked to the same merchants and orders, through the
same idempotent start as any parcel. A link that arrives before its earlier leg is followed
waits in `tracker_leg_links` and is started when that leg's next status event comes (LegIntake), so
the order of links, trackings and events does not matter. Links are a set (deterministic id):
consumed twice, a link starts nothing more.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

import asyncpg
from pydantic import ValidationError

from suivi_infra.records import ConsumedRecord
from suivi_schemas.ids import normalize_tracking_number
from suivi_schemas.legs import LegLinkEvent
from suivi_tracker.handlers.intake import Intake
from suivi_tracker.handlers.start import Refused, StartRequest, StartTracking

log = logging.getLogger(__name__)

INSERT = """
INSERT INTO tracker_leg_links (event_id, from_carrier, from_tracking_number, to_carrier,
    to_tracking_number, linked_at)
SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[],
    $6::timestamptz[])
ORDER BY 1
ON CONFLICT (event_id) DO NOTHING
"""
# Waiting links whose earlier leg is followed now, with that leg's merchants (locked: two
# instances never start the same leg twice; the start is idempotent anyway).
WAITING = """
SELECT l.event_id, l.to_carrier, l.to_tracking_number, k.merchant_id, k.order_number, k.title
FROM tracker_leg_links l
JOIN unnest($1::text[], $2::text[]) AS w (carrier, tracking_number)
    ON l.from_carrier = w.carrier AND l.from_tracking_number = w.tracking_number
JOIN trackings t ON t.carrier = l.from_carrier AND t.tracking_number = l.from_tracking_number
LEFT JOIN tracking_links k ON k.tracking_id = t.id
WHERE NOT l.started
ORDER BY l.event_id, k.merchant_id, k.order_number
FOR UPDATE OF l
"""
STARTED = "UPDATE tracker_leg_links SET started = true WHERE event_id = ANY($1::uuid[])"


class LegStarter:
    """Stores links and starts the next legs of followed parcels (see the module docstring)."""

    def __init__(self, starter: StartTracking) -> None:
        self.starter = starter

    async def apply(
        self, conn: asyncpg.Connection, links: Sequence[LegLinkEvent], now: datetime
    ) -> int:
        """Stores the links; starts those whose earlier leg is followed. Returns legs started."""
        if links:
            unique = sorted({k.event_id: k for k in links}.values(), key=lambda k: k.event_id)
            await conn.execute(
                INSERT,
                [k.event_id for k in unique],
                [k.from_carrier for k in unique],
                [normalize_tracking_number(k.from_tracking_number) for k in unique],
                [k.to_carrier for k in unique],
                [normalize_tracking_number(k.to_tracking_number) for k in unique],
                [k.linked_at for k in unique],
            )
        keys = {(k.from_carrier, normalize_tracking_number(k.from_tracking_number)) for k in links}
        return await self.start_waiting(conn, keys, now)

    async def start_waiting(
        self, conn: asyncpg.Connection, keys: Iterable[tuple[str, str]], now: datetime
    ) -> int:
        """Starts the waiting next legs of these (now followed) earlier legs."""
        ordered = sorted(set(keys))
        if not ordered:
            return 0
        rows = await conn.fetch(WAITING, [k[0] for k in ordered], [k[1] for k in ordered])
        started = 0
        for r in rows:
            request = StartRequest(
                tracking_number=r["to_tracking_number"], carrier=r["to_carrier"],
                merchant_id=r["merchant_id"], order_number=r["order_number"] or "",
                title=r["title"],
            )  # fmt: skip
            try:
                await self.starter.start(conn, request, now)
                started += 1
            except Refused as refused:  # e.g. a carrier no source serves: nothing to follow
                log.info("next leg not tracked: %s", refused.code)
        if rows:
            await conn.execute(STARTED, sorted({r["event_id"] for r in rows}))
        return started


class LegIntake(Intake):
    """The tracker's consumer, also on `tracking.legs.v1` (empty `legs_topic`: not)."""

    def __init__(self, *args: Any, legs_topic: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)  # the Intake's own arguments
        self.legs, self.legs_topic = LegStarter(self.starter), legs_topic

    async def process(self, records: Sequence[ConsumedRecord]) -> None:
        mine = [r for r in records if self.legs_topic and r.topic == self.legs_topic]
        await super().process(
            [r for r in records if not (self.legs_topic and r.topic == self.legs_topic)]
        )
        links: list[LegLinkEvent] = []
        invalid: list[tuple[ConsumedRecord, BaseException]] = []
        for record in mine:
            try:
                links.append(LegLinkEvent.model_validate_json(record.value or b""))
            except ValidationError as exc:
                invalid.append((record, exc))
        if invalid:
            await self.send(invalid)
        # Earlier legs this batch reported on (status keys are carrier:NUMBER): their waiting
        # links may start now.
        reported: set[tuple[str, str]] = set()
        for r in records:
            if r.topic == self.topics.status and r.key and b":" in r.key:
                carrier, _, number = r.key.decode(errors="replace").partition(":")
                reported.add((carrier, number))
        now = self.clock()
        async with self.pool.acquire() as conn, conn.transaction():
            await self.legs.apply(conn, links, now)
            await self.legs.start_waiting(conn, reported, now)
        for _ in links:
            self.metrics.consumed.labels(self.legs_topic, "applied").inc()
