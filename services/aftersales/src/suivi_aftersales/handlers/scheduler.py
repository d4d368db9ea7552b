"""The reminder scheduler: claims due returns (approved, not dropped off) with `FOR UPDATE SKIP
LOCKED` on the due index, so several instances share them; sends the reminder, then expires
them, each step with its event, in the claim's transaction (a crash rolls both back)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from datetime import datetime

import asyncpg

from suivi_aftersales.adapters import pg_returns
from suivi_aftersales.domain.returns import on_due
from suivi_aftersales.handlers.returns import commit_change
from suivi_aftersales.metrics import AftersalesMetrics

log = logging.getLogger(__name__)
Clock = Callable[[], datetime]


class Scheduler:
    def __init__(
        self, pool: asyncpg.Pool, metrics: AftersalesMetrics, *, clock: Clock, batch: int = 100,
        idle_seconds: float = 5.0, on_events: Callable[[], None] = lambda: None,
    ) -> None:  # fmt: skip
        self.pool, self.metrics, self.clock, self.batch = pool, metrics, clock, batch
        self.idle_seconds, self.on_events = idle_seconds, on_events

    async def round(self) -> int:
        """One claim of due returns; how many changed."""
        now = self.clock()
        changed = 0
        async with self.pool.acquire() as conn, conn.transaction():
            for ret in await pg_returns.due(conn, now, self.batch):
                policy = await pg_returns.load_policy(conn, ret.merchant_id)
                if policy is None:  # cannot happen: a return exists only under a policy
                    continue
                change = on_due(ret, policy, now)
                # Unchanged (a policy moved its dates later): saving sets the new due time.
                await commit_change(conn, change, policy, now, self.metrics)
                changed += bool(change.emitted)
        if changed:
            self.on_events()
        return changed

    async def run(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            try:
                if await self.round() == self.batch:
                    continue
            except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
                log.warning("reminder round failed (%s); retrying", type(exc).__name__)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), self.idle_seconds)
