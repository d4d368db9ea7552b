"""The merchant API (`Authorization: Bearer`): the return policy, returns listed with filters,
and the actions (approve, reject, attach a return tracking number, inspect, refund, exchange),
each on the merchant's own returns only (another merchant's RMA is a 404), plus analytics."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from suivi_aftersales.adapters import pg_analytics, pg_returns
from suivi_aftersales.domain.policy import Policy
from suivi_aftersales.domain.returns import Return
from suivi_aftersales.handlers.returns import NotFoundError
from suivi_aftersales.web.deps import ApiError, ContextDep, MerchantDep
from suivi_infra.http import StrictJSONRoute, documented
from suivi_schemas.common import Identifier, Location, Slug
from suivi_schemas.returns import ReturnMethod, ReturnState

router = APIRouter(prefix="/v1/returns", tags=["returns"], route_class=StrictJSONRoute)
AUTH = documented({401: "No or wrong merchant key."})
ACTION = documented(
    {401: "No or wrong merchant key.", 404: "This merchant has no such return.",
     409: "The return's state does not allow this."}
)  # fmt: skip


class ItemOut(BaseModel):
    line_item_id: str
    sku: str | None
    title: str
    quantity: int
    reason: str


class ParcelOut(BaseModel):
    carrier: str
    tracking_number: str


class DepositOut(BaseModel):
    occurred_at: datetime
    location: Location | None


class ResolutionOut(BaseModel):
    amount: str
    currency: str


class ReturnOut(BaseModel):
    return_id: str
    order_number: str
    state: ReturnState
    method: ReturnMethod
    items: list[ItemOut]
    requested_at: datetime
    approved_at: datetime | None
    dropped_off_at: datetime | None
    received_at: datetime | None
    resolved_at: datetime | None
    parcel: ParcelOut | None
    deposit: DepositOut | None
    rejection_reason: str | None
    resolution: ResolutionOut | None
    comment: str | None = None


class ReturnPage(BaseModel):
    returns: list[ReturnOut]
    next_after: str | None = Field(description="Pass as `after` for the next page.")


class RejectIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    reason: str = Field(min_length=1, max_length=500)


class TrackingIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    carrier: Slug
    tracking_number: Identifier = Field(min_length=4, max_length=64)


class ResolveIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    amount: Decimal = Field(ge=0, max_digits=12, decimal_places=2)
    currency: str = Field(pattern=r"^[A-Z]{3}$")


def return_out(ret: Return, comment: str | None = None) -> ReturnOut:
    return ReturnOut(
        return_id=ret.return_id, order_number=ret.order_number, state=ret.state,
        method=ret.method,
        items=[ItemOut(line_item_id=i.line_item_id, sku=i.sku, title=i.title,
                       quantity=i.quantity, reason=i.reason) for i in ret.items],
        requested_at=ret.requested_at, approved_at=ret.approved_at,
        dropped_off_at=ret.dropped_off_at, received_at=ret.received_at,
        resolved_at=ret.resolved_at,
        parcel=ParcelOut(carrier=ret.parcel_carrier, tracking_number=ret.parcel_number)
        if ret.parcel_carrier and ret.parcel_number else None,
        deposit=DepositOut(occurred_at=ret.deposit_at, location=ret.deposit_location)
        if ret.deposit_at else None,
        rejection_reason=ret.rejection_reason,
        resolution=ResolutionOut(amount=ret.amount, currency=ret.currency)
        if ret.amount is not None and ret.currency else None,
        comment=comment,
    )  # fmt: skip


@router.get(
    "/policy", summary="The merchant's return policy",
    responses=documented({401: "No or wrong merchant key.", 404: "No policy: no returns."}),
)  # fmt: skip
async def get_policy(ctx: ContextDep, merchant_id: MerchantDep) -> Policy:
    async with ctx.pool.acquire() as conn:
        policy = await pg_returns.load_policy(conn, merchant_id)
    if policy is None:
        raise ApiError(404, "no_policy", "no return policy is set: returns are not offered")
    return policy


@router.put(
    "/policy", responses=AUTH, summary="Set the return policy (returns are offered once set)"
)
async def put_policy(body: Policy, ctx: ContextDep, merchant_id: MerchantDep) -> Policy:
    await ctx.returns.set_policy(merchant_id, body)
    return body


@router.get("/analytics", responses=AUTH, summary="Return rate, reasons, transit and refund times")
async def analytics(
    ctx: ContextDep, merchant_id: MerchantDep,
    since: Annotated[AwareDatetime | None, Query()] = None,
    until: Annotated[AwareDatetime | None, Query()] = None,
) -> dict[str, Any]:  # fmt: skip
    end = until or ctx.clock()
    start = since or end - timedelta(days=30)
    if start >= end:
        raise ApiError(400, "invalid_range", "since must be before until")
    async with ctx.pool.acquire() as conn:
        report = await pg_analytics.report(conn, merchant_id, start, end)
    return {"merchant_id": merchant_id, "since": start.astimezone(UTC).isoformat(),
            "until": end.astimezone(UTC).isoformat(), **report}  # fmt: skip


@router.get("", responses=AUTH, summary="The merchant's returns, filtered, by RMA")
async def list_returns(
    ctx: ContextDep, merchant_id: MerchantDep,
    state: ReturnState | None = None,
    order_number: Annotated[str | None, Query(max_length=64)] = None,
    since: AwareDatetime | None = None, until: AwareDatetime | None = None,
    after: Annotated[str | None, Query(max_length=64)] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> ReturnPage:  # fmt: skip
    filters = pg_returns.Filters(state, order_number, since, until, after, limit)
    async with ctx.pool.acquire() as conn:
        found = await pg_returns.search(conn, merchant_id, filters)
    last = found[-1].return_id if len(found) == limit else None
    return ReturnPage(returns=[return_out(r) for r in found], next_after=last)


@router.get("/{return_id}", responses=ACTION, summary="One return")
async def get_return(return_id: str, ctx: ContextDep, merchant_id: MerchantDep) -> ReturnOut:
    async with ctx.pool.acquire() as conn:
        ret = await pg_returns.load(conn, merchant_id, return_id)
        comment = await pg_returns.comment_of(conn, merchant_id, return_id)
    if ret is None:
        raise NotFoundError(return_id)
    return return_out(ret, comment)


@router.post("/{return_id}/approve", responses=ACTION, summary="Approve a requested return")
async def approve(return_id: str, ctx: ContextDep, merchant_id: MerchantDep) -> ReturnOut:
    return return_out(await ctx.returns.approve(merchant_id, return_id))


@router.post("/{return_id}/reject", responses=ACTION, summary="Reject, with the reason")
async def reject(
    return_id: str, body: RejectIn, ctx: ContextDep, merchant_id: MerchantDep
) -> ReturnOut:
    return return_out(await ctx.returns.reject(merchant_id, return_id, body.reason))


@router.post("/{return_id}/tracking", responses=ACTION, summary="Attach the return parcel")
async def attach(
    return_id: str, body: TrackingIn, ctx: ContextDep, merchant_id: MerchantDep
) -> ReturnOut:
    ret = await ctx.returns.attach(merchant_id, return_id, body.carrier, body.tracking_number)
    return return_out(ret)


@router.post("/{return_id}/inspect", responses=ACTION, summary="Mark a received return inspected")
async def inspect(return_id: str, ctx: ContextDep, merchant_id: MerchantDep) -> ReturnOut:
    return return_out(await ctx.returns.inspect(merchant_id, return_id))


@router.post("/{return_id}/refund", responses=ACTION, summary="Refunded, with amount and currency")
async def refund(
    return_id: str, body: ResolveIn, ctx: ContextDep, merchant_id: MerchantDep
) -> ReturnOut:
    ret = await ctx.returns.resolve(
        merchant_id, return_id, ReturnState.REFUNDED, f"{body.amount:.2f}", body.currency
    )
    return return_out(ret)


@router.post("/{return_id}/exchange", responses=ACTION, summary="Exchanged, with its value")
async def exchange(
    return_id: str, body: ResolveIn, ctx: ContextDep, merchant_id: MerchantDep
) -> ReturnOut:
    ret = await ctx.returns.resolve(
        merchant_id, return_id, ReturnState.EXCHANGED, f"{body.amount:.2f}", body.currency
    )
    return return_out(ret)
