"""The application layer of claims: open (with the parcel's timeline deciding which reasons
fit, photos cleaned first), messages of either side, resolve, close; each change saved with its
event (outbox, stream `claims`) in one transaction."""

from __future__ import annotations

import secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

import asyncpg

from suivi_aftersales.adapters import pg_claims, pg_orders
from suivi_aftersales.adapters.images import clean_photo
from suivi_aftersales.domain import claims as rules
from suivi_aftersales.domain.claim_events import claim_event
from suivi_aftersales.domain.claims import Claim, ClaimChange, ClaimRefusedError, ClaimRules
from suivi_aftersales.domain.policy import OrderFacts
from suivi_schemas.claims import ClaimEventKind, ClaimOutcome, ClaimReason, ClaimState

Clock = Callable[[], datetime]
MAX_PHOTOS = 5
_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"


class ClaimNotFoundError(Exception):
    pass


@dataclass
class Claims:
    pool: asyncpg.Pool
    clock: Clock
    rules: ClaimRules
    on_events: Callable[[], None] = lambda: None

    async def offered(self, order: OrderFacts) -> dict[str, tuple[ClaimReason, ...]]:
        """Each parcel of the order → the reasons a claim may give now."""
        now = self.clock()
        async with self.pool.acquire() as conn:
            keys = await pg_orders.order_parcels(conn, order.merchant_id, order.order_number)
            return {key: await self._reasons(conn, key, now) for key in keys}

    async def _reasons(
        self, conn: asyncpg.Connection, key: str, now: datetime
    ) -> tuple[ClaimReason, ...]:
        timeline = await pg_claims.timeline(conn, key)
        alerted = await pg_claims.alerted(conn, key)
        return rules.offered_reasons(timeline, self.rules, now, alerted=alerted)

    async def open(
        self, order: OrderFacts, parcel_key: str, reason: ClaimReason, description: str,
        photos: Sequence[bytes], request_key: str,
    ) -> Claim:  # fmt: skip
        if len(photos) > MAX_PHOTOS:
            raise ClaimRefusedError("too_many_photos", f"at most {MAX_PHOTOS} photos")
        cleaned = [clean_photo(p) for p in photos]  # PhotoRefusedError: before any write
        now = self.clock()
        async with self.pool.acquire() as conn, conn.transaction():
            known = await pg_claims.by_request_key(
                conn, order.merchant_id, order.order_number, request_key
            )
            if known is not None:
                return known
            keys = await pg_orders.order_parcels(conn, order.merchant_id, order.order_number)
            if parcel_key not in keys:
                raise ClaimRefusedError("unknown_parcel", "this parcel is not part of the order")
            if reason not in await self._reasons(conn, parcel_key, now):
                raise ClaimRefusedError(
                    "reason_not_offered", "this reason does not fit the parcel now"
                )
            carrier, _, number = parcel_key.partition(":")
            claim = Claim(
                order.merchant_id, "C-" + "".join(secrets.choice(_ALPHABET) for _ in range(8)),
                order.order_number, carrier, number, reason, ClaimState.WAITING_MERCHANT,
                order.locale, now, messages=1, photos=len(cleaned),
            )  # fmt: skip
            if not await pg_claims.open_claim(conn, claim, parcel_key, request_key):
                raise ClaimRefusedError("claim_open", "a claim for this parcel and reason is open")
            await pg_claims.add_message(conn, claim, 1, "shopper", description, now)
            for n, (data, media_type) in enumerate(cleaned, start=1):
                await pg_claims.add_photo(conn, claim, n, media_type, data)
            event = claim_event(claim, ClaimEventKind.OPENED, 0, now)
            await pg_orders.enqueue(conn, [event], stream="claims")
        self.on_events()
        return claim

    async def _change(
        self, merchant_id: str, claim_id: str, decide: Callable[[Claim, datetime], ClaimChange],
        body: tuple[str, str] | None = None,
    ) -> Claim:  # fmt: skip
        now = self.clock()
        async with self.pool.acquire() as conn, conn.transaction():
            claim = await pg_claims.load(conn, merchant_id, claim_id, lock=True)
            if claim is None:
                raise ClaimNotFoundError(claim_id)
            change = decide(claim, now)
            if change.kind is None:
                return claim
            await pg_claims.save(conn, change.claim)
            if body is not None:
                await pg_claims.add_message(conn, change.claim, change.sequence, *body, now)
            event = claim_event(change.claim, change.kind, change.sequence, now)
            await pg_orders.enqueue(conn, [event], stream="claims")
        self.on_events()
        return change.claim

    async def message(self, merchant_id: str, claim_id: str, author: str, text: str) -> Claim:
        return await self._change(
            merchant_id, claim_id, lambda c, now: rules.message(c, author, now), (author, text)
        )

    async def resolve(
        self, merchant_id: str, claim_id: str, outcome: ClaimOutcome, reason: str | None
    ) -> Claim:
        return await self._change(
            merchant_id, claim_id, lambda c, now: rules.resolve(c, outcome, reason, now)
        )

    async def close(self, merchant_id: str, claim_id: str) -> Claim:
        return await self._change(merchant_id, claim_id, rules.close)
