"""A merchant's corrections and stops: PATCH (another carrier → re-routed; a postal code or ship
date → a needs_info tracking resumes) and DELETE (the merchant stops following it; the last
follower stopping stops it, and a push source is told to stop pushing)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime

import asyncpg

from suivi_tracker.adapters import pg_store
from suivi_tracker.db.rows import tracking_of
from suivi_tracker.domain.sources import Mode, Source, SourceError
from suivi_tracker.domain.states import FINAL, State
from suivi_tracker.handlers.start import Refused, StartRequest, StartTracking, known_carrier

log = logging.getLogger(__name__)


class NotFound(LookupError):  # noqa: N818 - an answer, not a failure
    """No such tracking for this merchant."""


@dataclass(frozen=True, slots=True)
class Patch:
    carrier: str | None = None
    postal_code: str | None = None
    country: str | None = None
    ship_date: date | None = None


async def _drop_links(
    conn: asyncpg.Connection, row: asyncpg.Record, merchant_id: str, now: datetime
) -> asyncpg.Record | None:
    """Removes the merchant's links; stops the tracking if nobody follows it any more (returns
    the stopped row, whose source must then be told)."""
    await conn.execute(
        "DELETE FROM tracking_links WHERE tracking_id = $1 AND merchant_id = $2",
        row["id"],
        merchant_id,
    )
    others = await conn.fetchval(
        "SELECT count(*) FROM tracking_links WHERE tracking_id = $1", row["id"]
    )
    if others or row["state"] in FINAL:
        return None
    return await pg_store.set_state(conn, row["id"], State.STOPPED, None)


async def unregister(sources: Mapping[str, Source], row: asyncpg.Record, seconds: float) -> bool:
    """Best effort: tells a push source to stop (False: it could not be told)."""
    t = tracking_of(row)
    source = sources.get(t.source or "")
    if source is None or t.mode is not Mode.PUSH or not t.registered:
        return True
    try:
        await asyncio.wait_for(source.unregister(t.ref()), seconds)
    except (SourceError, TimeoutError) as exc:
        log.warning("unregister at %s failed (%s)", source.name, type(exc).__name__)
        return False
    return True


async def stop_following(
    conn: asyncpg.Connection, merchant_id: str, carrier: str, number: str, now: datetime
) -> asyncpg.Record | None:
    """Raises NotFound; returns the row stopped (to unregister), if any."""
    async with conn.transaction():
        row = await pg_store.load(conn, carrier, number, merchant_id)
        if row is None:
            raise NotFound
        return await _drop_links(conn, row, merchant_id, now)


async def correct(
    conn: asyncpg.Connection,
    starter: StartTracking,
    merchant_id: str,
    carrier: str,
    number: str,
    patch: Patch,
    now: datetime,
) -> tuple[asyncpg.Record, asyncpg.Record | None]:
    """(the tracking as corrected, a row stopped by the move to unregister). Raises NotFound,
    Refused."""
    async with conn.transaction():
        row = await pg_store.load(conn, carrier, number, merchant_id)
        if row is None:
            raise NotFound
        new_carrier = carrier
        if patch.carrier is not None:
            new_carrier = known_carrier(patch.carrier) or ""
            if not new_carrier:
                raise Refused("unknown_carrier", "not a carrier slug Suivi knows")
        if new_carrier != carrier:
            # Another (carrier, number): the merchant's orders follow that tracking instead.
            links = await pg_store.links(conn, row["id"], merchant_id)
            started = None
            for link in links:
                request = StartRequest(
                    number, new_carrier, patch.postal_code or row["postal_code"],
                    patch.country or row["country"], patch.ship_date or row["ship_date"],
                    merchant_id, link.order_number, link.title,
                )  # fmt: skip
                started = await starter.start(conn, request, now)
            stopped = await _drop_links(conn, row, merchant_id, now)
            assert started is not None
            return started.row, stopped
        updated = await conn.fetchrow(
            """
            UPDATE trackings SET postal_code = coalesce($2, postal_code),
                country = coalesce($3, country), ship_date = coalesce($4, ship_date),
                updated_at = $5
            WHERE id = $1 RETURNING *
            """,
            row["id"], patch.postal_code, patch.country, patch.ship_date, now,
        )  # fmt: skip
        assert updated is not None
        if updated["state"] == State.NEEDS_INFO:
            updated = await starter.resolve_needs(conn, updated, now) or updated
        return updated, None
