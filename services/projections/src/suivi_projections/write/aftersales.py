"""Returns and claims → `order_aftersales`, beside the projector's own topics (issue 24).

The projector's batch handler is wrapped: records of `commerce.returns.v1` / `commerce.claims.v1`
are taken out of the batch and applied in a transaction of their own, the rest goes to the
projector unchanged (its rows and these share nothing, so two transactions lose nothing: the
batch's offsets are committed only once both are durable, and replaying either changes
nothing). Each case keeps its latest version (domain/aftersales.py) in one upsert whose WHERE
compares versions, so concurrent instances, redeliveries and any arrival order end in the same
row. Orders whose cases changed are told on the status pages' channel (the dashboard
re-fetches). Records that are no valid event are dead-lettered with the projector's.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence

import asyncpg

from suivi_infra.records import ConsumedRecord
from suivi_projections.db.notify import ORDER_CHANGED_CHANNEL
from suivi_projections.domain.aftersales import Case, CaseKind, case_of, latest
from suivi_projections.write.projector import Projector
from suivi_schemas.claims import ClaimEvent
from suivi_schemas.returns import ReturnEvent

UPSERT_CASES = """
INSERT INTO order_aftersales AS a (merchant_id, kind, case_id, order_number, state, reason,
    is_open, stage, step, occurred_at, event_id)
SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[],
    $7::boolean[], $8::smallint[], $9::integer[], $10::timestamptz[], $11::uuid[])
ORDER BY 1, 2, 3
ON CONFLICT (merchant_id, kind, case_id) DO UPDATE SET order_number = excluded.order_number,
    state = excluded.state, reason = excluded.reason, is_open = excluded.is_open,
    stage = excluded.stage, step = excluded.step, occurred_at = excluded.occurred_at,
    event_id = excluded.event_id
WHERE (excluded.stage, excluded.step, excluded.occurred_at, excluded.event_id)
    > (a.stage, a.step, a.occurred_at, a.event_id)
RETURNING merchant_id, order_number, kind
"""

NOTIFY_ORDERS = """
SELECT count(pg_notify($1, o.status_token))
FROM orders o JOIN unnest($2::text[], $3::text[]) AS k (merchant_id, order_number)
    USING (merchant_id, order_number)
"""


async def apply_cases(
    conn: asyncpg.Connection, cases: Iterable[Case], channel: str = ORDER_CHANGED_CHANNEL
) -> Counter[str]:
    """Keeps each case's latest version; returns how many rows changed, by kind (the caller's
    transaction; the orders of the changed ones are notified with it)."""
    found = [c for _, c in sorted(latest(cases).items())]
    if not found:
        return Counter()
    changed = await conn.fetch(
        UPSERT_CASES,
        [c.merchant_id for c in found],
        [c.kind.value for c in found],
        [c.case_id for c in found],
        [c.order_number for c in found],
        [c.state for c in found],
        [c.reason for c in found],
        [c.is_open for c in found],
        [c.stage for c in found],
        [c.step for c in found],
        [c.occurred_at for c in found],
        [c.event_id for c in found],
    )
    orders = sorted({(r[0], r[1]) for r in changed})
    if orders:
        await conn.fetchval(NOTIFY_ORDERS, channel, [o[0] for o in orders], [o[1] for o in orders])
    return Counter(r[2] for r in changed)


class WithAftersales:
    """The projector's handler, following the returns and claims topics too (empty: not)."""

    def __init__(self, projector: Projector, *, returns_topic: str, claims_topic: str) -> None:
        self.projector = projector
        self.topics = {CaseKind.RETURN.value: returns_topic, CaseKind.CLAIM.value: claims_topic}
        self.parsers = {
            topic: model
            for topic, model in ((returns_topic, ReturnEvent), (claims_topic, ClaimEvent))
            if topic
        }

    async def process(self, records: Sequence[ConsumedRecord]) -> object:
        ours = [r for r in records if r.topic in self.parsers]
        rest = [r for r in records if r.topic not in self.parsers] if ours else records
        result = await self.projector.process(rest) if rest else None
        if ours:
            await self._apply(ours)
        return result

    async def _apply(self, records: Sequence[ConsumedRecord]) -> None:
        cases: list[Case] = []
        dead: list[tuple[ConsumedRecord, BaseException]] = []
        for record in records:
            try:
                parsed = self.parsers[record.topic].model_validate_json(record.value or b"")
                cases.append(case_of(parsed))
            # A poison record must never stop the partition: whatever fails goes to the DLQ.
            except Exception as exc:
                dead.append((record, exc))
        if cases:
            async with self.projector.pool.acquire() as conn, conn.transaction():
                changed = await apply_cases(conn, cases)
            for kind, count in changed.items():
                self.projector.metrics.events_applied.labels(self.topics[kind], kind).inc(count)
        if dead:
            await self.send(dead)

    async def send(self, failures: Sequence[tuple[ConsumedRecord, BaseException]]) -> None:
        """Dead letters go where the projector's go (suivi_infra.poison calls this too)."""
        await self.projector.send(failures)
