"""The application layer of returns: a shopper's request or a merchant's action → load (locked)
→ decide (domain) → save the return and its events (outbox) in one transaction."""

from __future__ import annotations

import secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

import asyncpg

from suivi_aftersales.adapters import pg_orders, pg_returns
from suivi_aftersales.domain import returns as machine
from suivi_aftersales.domain.events import parcel_key, return_event
from suivi_aftersales.domain.parcels import ParcelFacts
from suivi_aftersales.domain.policy import (
    OrderFacts,
    Policy,
    Refusal,
    RequestedItem,
    auto_approves,
    check_request,
)
from suivi_aftersales.domain.returns import Change, Item, Return
from suivi_aftersales.metrics import AftersalesMetrics
from suivi_schemas.ids import shipment_key
from suivi_schemas.returns import ReturnEventKind, ReturnMethod, ReturnState

Clock = Callable[[], datetime]
Action = Callable[[Return, ParcelFacts | None, datetime], Change]
# No 0/O, 1/I/L: an RMA is read aloud and typed from a receipt.
_RMA_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"


def new_rma() -> str:
    return "R-" + "".join(secrets.choice(_RMA_ALPHABET) for _ in range(8))


class NotFoundError(Exception):
    """No such return for this merchant (or no such order): HTTP 404, the same for both."""


class RefusedError(Exception):
    def __init__(self, refusal: Refusal) -> None:
        super().__init__(refusal.detail)
        self.refusal = refusal


async def commit_change(
    conn: asyncpg.Connection, change: Change, policy: Policy | None, now: datetime,
    metrics: AftersalesMetrics | None = None,
) -> None:  # fmt: skip
    """Saves the changed return and writes its events to the outbox (same transaction)."""
    ret = change.ret
    due = machine.next_due(ret, policy) if policy is not None else None
    await pg_returns.save(conn, ret, due, now)
    deadline = machine.drop_off_by(ret, policy) if policy is not None else None
    await pg_orders.enqueue(conn, [return_event(ret, e, now, deadline) for e in change.emitted])
    if metrics is not None:  # counted before the commit: a rolled-back change counts too
        for emitted in change.emitted:
            metrics.transitions.labels(emitted.kind.value).inc()


@dataclass
class Returns:
    pool: asyncpg.Pool
    clock: Clock
    on_events: Callable[[], None] = lambda: None  # wakes the outbox relay
    metrics: AftersalesMetrics | None = None

    async def request(
        self, order: OrderFacts, items: Sequence[RequestedItem], method: ReturnMethod,
        comment: str | None, request_key: str,
    ) -> Return:  # fmt: skip
        """A shopper's return; the same `request_key` (the form's) gives the same return."""
        now = self.clock()
        async with self.pool.acquire() as conn, conn.transaction():
            # One request at a time per order: quantities left are counted, then taken.
            await conn.execute(
                "SELECT 1 FROM aftersales_orders WHERE merchant_id = $1 AND order_number = $2"
                " FOR UPDATE", order.merchant_id, order.order_number,
            )  # fmt: skip
            known = await pg_returns.by_request_key(
                conn, order.merchant_id, order.order_number, request_key
            )
            if known is not None:
                return known
            policy = await pg_returns.load_policy(conn, order.merchant_id)
            if policy is None:
                raise RefusedError(Refusal("returns_not_offered", 409, "returns are not offered"))
            already = await pg_returns.returned_quantities(
                conn, order.merchant_id, order.order_number
            )
            refused = check_request(order, policy, items, method, already, now)
            if refused is not None:
                raise RefusedError(refused)
            chosen = tuple(
                Item(i.line_item_id, order.lines[i.line_item_id].sku,
                     order.lines[i.line_item_id].title, i.quantity, i.reason)
                for i in items
            )  # fmt: skip
            while True:
                ret = Return(
                    order.merchant_id, new_rma(), order.order_number, ReturnState.REQUESTED,
                    method, order.locale, chosen, now,
                )  # fmt: skip
                if await pg_returns.insert(conn, ret, request_key, comment):
                    break
            change = Change(ret, (machine.Emitted(ReturnEventKind.REQUESTED),))
            await commit_change(conn, change, policy, now, self.metrics)
            if auto_approves(policy, items):
                approved = machine.approve(ret, None, now)
                await commit_change(conn, approved, policy, now, self.metrics)
                ret = approved.ret
        self.on_events()
        return ret

    async def act(
        self, merchant_id: str, return_id: str, action: Action,
        parcel_of: Callable[[Return], str | None] = parcel_key,
    ) -> Return:  # fmt: skip
        """Applies a merchant's (or the shopper's) action to one return. Its parcel is locked
        first (as the intake does), then the return: the intake then either sees this change
        or is seen by it, and no carrier progress is missed, not even for a parcel attached
        while its first scan is being consumed."""
        now = self.clock()
        async with self.pool.acquire() as conn, conn.transaction():
            seen = await pg_returns.load(conn, merchant_id, return_id)
            if seen is None:
                raise NotFoundError(return_id)
            locked = parcel_of(seen)
            if locked:
                await pg_orders.lock_parcel(conn, locked)
            ret = await pg_returns.load(conn, merchant_id, return_id, lock=True)
            assert ret is not None  # returns are never deleted
            key = parcel_of(ret)
            if key and key != locked:  # attached meanwhile by another request
                await pg_orders.lock_parcel(conn, key)
            facts = await pg_orders.load_parcel(conn, key) if key else None
            change = action(ret, facts, now)
            if change.ret != ret:
                policy = await pg_returns.load_policy(conn, merchant_id)
                await commit_change(conn, change, policy, now, self.metrics)
        if change.emitted:
            self.on_events()
        return change.ret

    async def approve(self, merchant_id: str, return_id: str) -> Return:
        return await self.act(merchant_id, return_id, machine.approve)

    async def reject(self, merchant_id: str, return_id: str, reason: str) -> Return:
        return await self.act(
            merchant_id, return_id, lambda r, _, now: machine.reject(r, reason, now)
        )

    async def attach(self, merchant_id: str, return_id: str, carrier: str, number: str) -> Return:
        return await self.act(
            merchant_id, return_id,
            lambda r, facts, now: machine.attach_parcel(r, carrier, number, facts, now),
            lambda _: shipment_key(carrier, number),
        )  # fmt: skip

    async def inspect(self, merchant_id: str, return_id: str) -> Return:
        return await self.act(merchant_id, return_id, lambda r, _, now: machine.inspect(r, now))

    async def resolve(
        self, merchant_id: str, return_id: str, outcome: ReturnState, amount: str, currency: str
    ) -> Return:
        return await self.act(
            merchant_id, return_id,
            lambda r, _, now: machine.resolve(r, outcome, amount, currency, now),
        )  # fmt: skip

    async def set_policy(self, merchant_id: str, policy: Policy) -> None:
        async with self.pool.acquire() as conn:
            await pg_returns.save_policy(conn, merchant_id, policy, self.clock())
