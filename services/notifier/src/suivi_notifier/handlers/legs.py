"""Parcels that change hands (issue 17): one shopper story across carriers, once.

Links (tracking.legs.v1) make each later leg an alias of the parcel's key (its first leg, the
one the order names). Status events of an alias are applied as the parcel's, so the existing
rules hold for the whole parcel: a status reported by two legs triggers once (`reached`), an
older leg reporting late changes nothing. The hand-off itself is told once: when a link is
first stored, the parcel takes the next carrier's name and number (its messages then link to
that carrier's tracking page) and `in_transit` is armed again, so the next carrier's first
movement tells the shopper "on its way with La Poste"; a link received again changes nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import asyncpg
from pydantic import ValidationError

from suivi_infra.records import ConsumedRecord
from suivi_notifier.handlers.intake import BatchResult, Intake
from suivi_schemas import ShipmentStatusEvent
from suivi_schemas.legs import LegLinkEvent

ALIAS = """
INSERT INTO notifier_leg_aliases (leg_key, parcel_key, event_id)
VALUES ($1, coalesce((SELECT parcel_key FROM notifier_leg_aliases WHERE leg_key = $2), $2), $3)
ON CONFLICT (leg_key) DO NOTHING
RETURNING parcel_key
"""
HANDED_OVER = """
UPDATE notifier_shipments SET carrier = $2, tracking_number = $3,
    reached = array_remove(reached, 'in_transit')
WHERE shipment_key = $1
"""
ALIASES = "SELECT leg_key, parcel_key FROM notifier_leg_aliases WHERE leg_key = ANY($1::text[])"


@dataclass(frozen=True, slots=True)
class _Record:
    topic: str
    partition: int
    offset: int
    key: bytes | None
    value: bytes | None
    headers: Sequence[tuple[str, bytes]]


@dataclass(frozen=True)  # no slots: they would break super() in `process`
class LegIntake(Intake):
    """The intake, also following `legs_topic` (see the module docstring)."""

    legs_topic: str = field(default="", kw_only=True)

    async def process(self, records: Sequence[ConsumedRecord]) -> BatchResult:
        legs = [r for r in records if self.legs_topic and r.topic == self.legs_topic]
        rest = [r for r in records if not (self.legs_topic and r.topic == self.legs_topic)]
        links: list[LegLinkEvent] = []
        poison: list[tuple[ConsumedRecord, BaseException]] = []
        for record in legs:
            try:
                links.append(LegLinkEvent.model_validate_json(record.value or b""))
            except ValidationError as exc:
                poison.append((record, exc))
        async with self.pool.acquire() as conn, conn.transaction():
            for link in links:
                parcel = await conn.fetchval(ALIAS, link.to_key, link.from_key, link.event_id)
                if parcel is not None:  # stored now: the hand-off is told once
                    await conn.execute(
                        HANDED_OVER, parcel, link.to_carrier, link.to_tracking_number
                    )
            result = await self._aliased(conn, rest)
        await self.send(poison)
        return await super().process(result)

    async def _aliased(
        self, conn: asyncpg.Connection, records: Sequence[ConsumedRecord]
    ) -> list[ConsumedRecord]:
        keys = [
            r.key.decode(errors="replace")
            for r in records
            if r.topic == self.status_topic and r.key
        ]
        if not keys:
            return list(records)
        aliases = {r[0]: r[1] for r in await conn.fetch(ALIASES, keys)}
        if not aliases:
            return list(records)
        out: list[ConsumedRecord] = []
        for r in records:
            parcel = (
                aliases.get(r.key.decode(errors="replace"))
                if r.key and r.topic == self.status_topic
                else None
            )
            if parcel is None:
                out.append(r)
                continue
            try:
                event = ShipmentStatusEvent.model_validate_json(r.value or b"")
            except ValidationError:
                out.append(r)  # the intake dead-letters it with its reason
                continue
            carrier, _, number = parcel.partition(":")
            moved = event.model_copy(update={"carrier": carrier, "tracking_number": number})
            out.append(_Record(r.topic, r.partition, r.offset, parcel.encode(),
                               moved.model_dump_json().encode(), r.headers))  # fmt: skip
        return out
