"""One part of a batch's status events (write.batch applies a large batch in parts)."""

from __future__ import annotations

from dataclasses import dataclass, field

import asyncpg
import orjson

from suivi_projections.db.rows import StatusRow
from suivi_projections.domain.orders import Link
from suivi_projections.domain.shipments import Checkpoint, Key
from suivi_projections.write.shipments import Work, write_built


def dumps(rows: object) -> str:
    """A jsonb parameter of `sql.from_json` rows (the driver's UUIDs as their text)."""
    return orjson.dumps(rows, default=str).decode()


@dataclass(slots=True)
class Part:
    """One part of a batch's status events (the keys of one range of lock ids) and what the
    write path derives from them, stage by stage."""

    index: int
    rows: list[StatusRow] = field(default_factory=list)
    ordered: list[StatusRow] = field(default_factory=list)  # timeline rows, unique, by id
    revisions: list[StatusRow] = field(default_factory=list)
    timeline: int = 0  # rows that are no revision, duplicates included
    locks: set[Key] = field(default_factory=set)  # locked by its first statement
    events_json: str = ""
    fresh: dict[Key, list[Checkpoint]] = field(default_factory=dict)
    observed: list[tuple[object, ...]] = field(default_factory=list)
    keys: set[Key] = field(default_factory=set)  # planned here, and only here
    new_links: list[tuple[int, Link]] = field(default_factory=list)
    relinked: set[Key] = field(default_factory=set)
    work: Work = field(default_factory=Work)
    written: tuple[str, str, str, list[int]] | None = None  # WRITE_SHIPMENTS' parameters
    changed: set[int] = field(default_factory=set)  # orders whose parcels it reads and changes

    def prepare(self) -> None:
        """Revisions apart, duplicates merged, sorted by id (concurrent inserts of the same
        ids then wait for each other, never deadlock); its keys; the timeline rows' JSON."""
        rows = self.rows
        # Estimate revisions (issue 21) are no checkpoints: observed, never in the timeline.
        self.revisions = [e for e in rows if e.revision_of is not None]
        if self.revisions:
            rows = [e for e in rows if e.revision_of is None]
        self.timeline = len(rows)
        by_id = {e.event_id: e for e in reversed(rows)}
        self.ordered = [by_id[i] for i in sorted(by_id)]
        self.locks = {(e.carrier, e.tracking_number) for e in (*self.ordered, *self.revisions)}
        if self.ordered:
            self.events_json = dumps([e[:18] for e in self.ordered])


async def write_part(part: Part, conn: asyncpg.Connection) -> list[asyncpg.Record]:
    return await write_built(conn, part.work, part.written)
