"""/v1/trackings: start, read, list, correct and stop trackings (a merchant's own only)."""

from __future__ import annotations

import base64
import binascii
from typing import Annotated, Any

from fastapi import APIRouter, Query, Response

from suivi_infra.http import StrictJSONRoute
from suivi_tracker.adapters import pg_store
from suivi_tracker.api.deps import ApiError, ContextDep, MerchantDep, tracking_out
from suivi_tracker.api.models import (
    ErrorBody,
    OrderLink,
    TrackingIn,
    TrackingOut,
    TrackingPage,
    TrackingPatch,
)
from suivi_tracker.domain.states import State
from suivi_tracker.handlers import manage
from suivi_tracker.handlers.start import Refused, StartRequest, clean_number, known_carrier

# RFC 8259 JSON only: NaN, Infinity and 1e999 are malformed (400), as on every Suivi API.
router = APIRouter(prefix="/v1/trackings", tags=["trackings"], route_class=StrictJSONRoute)

AUTH: dict[int | str, dict[str, Any]] = {
    401: {"model": ErrorBody, "description": "No or wrong key."}
}
INVALID: dict[int | str, dict[str, Any]] = {
    422: {"model": ErrorBody, "description": "Unknown carrier, invalid number or field."},
    400: {"model": ErrorBody, "description": "Not JSON."},
}
NOT_FOUND: dict[int | str, dict[str, Any]] = {
    404: {"model": ErrorBody, "description": "This merchant follows no such tracking."}
}


def request_of(body: TrackingIn, merchant_id: str) -> StartRequest:
    destination = body.destination
    return StartRequest(
        tracking_number=body.tracking_number,
        carrier=body.carrier,
        postal_code=destination.postal_code if destination else None,
        country=destination.country if destination else None,
        ship_date=body.ship_date,
        merchant_id=merchant_id,
        order_number=body.order_number,
        title=body.title,
    )


async def view(ctx: ContextDep, row: Any, merchant_id: str) -> TrackingOut:
    async with ctx.pool.acquire() as conn:
        links = await pg_store.links(conn, row["id"], merchant_id)
    # A link without order number or title only says the merchant follows it: nothing to show.
    orders = [OrderLink(order_number=x.order_number, title=x.title) for x in links]
    return tracking_out(row, [o for o in orders if o.order_number or o.title])


def refused(exc: Refused) -> ApiError:
    return ApiError(422, exc.code, exc.detail)


def key_of(carrier: str, number: str) -> tuple[str, str]:
    """The path's (carrier, number) as stored; 404 for what could never be stored."""
    slug = known_carrier(carrier)
    try:
        clean = clean_number(number)
    except Refused:
        clean = None
    if slug is None or clean is None:
        raise ApiError(404, "not_found", "no such tracking")
    return slug, clean


EXISTED: dict[int | str, dict[str, Any]] = {
    200: {"model": TrackingOut, "description": "It already existed (now linked to this order)."}
}


@router.post(
    "", status_code=201, response_model=TrackingOut, responses={**EXISTED, **AUTH, **INVALID}
)
async def create(
    body: TrackingIn, merchant_id: MerchantDep, ctx: ContextDep, response: Response
) -> TrackingOut:
    try:
        async with ctx.pool.acquire() as conn:
            started = await ctx.starter.start(conn, request_of(body, merchant_id), ctx.clock())
    except Refused as exc:
        ctx.metrics.started.labels("api", "refused").inc()
        raise refused(exc) from None
    ctx.metrics.started.labels("api", "created" if started.created else "existing").inc()
    response.status_code = 201 if started.created else 200
    return await view(ctx, started.row, merchant_id)


@router.get("/{carrier}/{number}", response_model=TrackingOut, responses={**AUTH, **NOT_FOUND})
async def read(carrier: str, number: str, merchant_id: MerchantDep, ctx: ContextDep) -> TrackingOut:
    slug, clean = key_of(carrier, number)
    async with ctx.pool.acquire() as conn:
        row = await pg_store.load(conn, slug, clean, merchant_id)
    if row is None:
        raise ApiError(404, "not_found", "no such tracking")
    return await view(ctx, row, merchant_id)


def decode_cursor(cursor: str | None) -> int:
    if not cursor:
        return 0
    try:
        value = int(base64.urlsafe_b64decode(cursor.encode() + b"==").decode())
    except (binascii.Error, ValueError, UnicodeDecodeError):
        raise ApiError(422, "invalid_cursor", "pass back a next_cursor as given") from None
    if value < 0:
        raise ApiError(422, "invalid_cursor", "pass back a next_cursor as given")
    return value


def encode_cursor(last_id: int) -> str:
    return base64.urlsafe_b64encode(str(last_id).encode()).decode().rstrip("=")


@router.get("", response_model=TrackingPage, responses={**AUTH, **INVALID})
async def listing(
    merchant_id: MerchantDep,
    ctx: ContextDep,
    state: State | None = None,
    cursor: Annotated[str | None, Query(max_length=64)] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> TrackingPage:
    after = decode_cursor(cursor)
    async with ctx.pool.acquire() as conn:
        rows = await pg_store.page(conn, merchant_id, state.value if state else None, after, limit)
    items = [await view(ctx, r, merchant_id) for r in rows]
    next_cursor = encode_cursor(rows[-1]["id"]) if len(rows) == limit else None
    return TrackingPage(trackings=items, next_cursor=next_cursor)


@router.patch(
    "/{carrier}/{number}", response_model=TrackingOut, responses={**AUTH, **NOT_FOUND, **INVALID}
)
async def patch(
    carrier: str, number: str, body: TrackingPatch, merchant_id: MerchantDep, ctx: ContextDep
) -> TrackingOut:
    slug, clean = key_of(carrier, number)
    destination = body.destination
    change = manage.Patch(
        carrier=body.carrier,
        postal_code=destination.postal_code if destination else None,
        country=destination.country if destination else None,
        ship_date=body.ship_date,
    )
    try:
        async with ctx.pool.acquire() as conn:
            row, stopped = await manage.correct(
                conn, ctx.starter, merchant_id, slug, clean, change, ctx.clock()
            )
    except manage.NotFound:
        raise ApiError(404, "not_found", "no such tracking") from None
    except Refused as exc:
        raise refused(exc) from None
    if stopped is not None:
        await manage.unregister(ctx.sources, stopped, ctx.call_timeout_seconds)
    return await view(ctx, row, merchant_id)


@router.delete(
    "/{carrier}/{number}", status_code=204, response_class=Response,
    responses={**AUTH, **NOT_FOUND},
)  # fmt: skip
async def delete(carrier: str, number: str, merchant_id: MerchantDep, ctx: ContextDep) -> Response:
    slug, clean = key_of(carrier, number)
    try:
        async with ctx.pool.acquire() as conn:
            stopped = await manage.stop_following(conn, merchant_id, slug, clean, ctx.clock())
    except manage.NotFound:
        raise ApiError(404, "not_found", "no such tracking") from None
    if stopped is not None:
        await manage.unregister(ctx.sources, stopped, ctx.call_timeout_seconds)
    return Response(status_code=204)
