"""POST /v1/trackings/{carrier}/{number}/legs: the merchant says its parcel continues as
another carrier's number (issue 17). The next leg is tracked at once, for the merchants who
follow the parcel, and the hand-off is published on `tracking.legs.v1` so that the status
page, the notifier and analytics tell one parcel's story."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Response
from pydantic import BaseModel, ConfigDict, Field

from suivi_infra.http import StrictJSONRoute
from suivi_schemas.legs import LegLinkEvent, LinkSource
from suivi_tracker.adapters import pg_store
from suivi_tracker.api.deps import ApiError, ContextDep, MerchantDep
from suivi_tracker.api.models import ErrorBody, TrackingOut
from suivi_tracker.api.trackings import AUTH, INVALID, NOT_FOUND, key_of, refused, view
from suivi_tracker.handlers.legs import LegStarter
from suivi_tracker.handlers.start import Refused, clean_number, known_carrier

router = APIRouter(prefix="/v1/trackings", tags=["trackings"], route_class=StrictJSONRoute)

UNAVAILABLE: dict[int | str, dict[str, Any]] = {
    503: {"model": ErrorBody, "description": "The link could not be published; retry."}
}


class LegIn(BaseModel):
    """The next carrier and its number for the same parcel."""

    model_config = ConfigDict(extra="forbid")

    carrier: str = Field(min_length=1, max_length=64, examples=["laposte"])
    tracking_number: str = Field(min_length=1, max_length=200, examples=["6A18987654321"])


@router.post(
    "/{carrier}/{number}/legs",
    status_code=201,
    response_model=TrackingOut,
    responses={
        200: {"model": TrackingOut, "description": "That leg was already tracked (now linked)."},
        **AUTH, **NOT_FOUND, **INVALID, **UNAVAILABLE,
    },
)  # fmt: skip
async def add_leg(
    carrier: str,
    number: str,
    body: LegIn,
    merchant_id: MerchantDep,
    ctx: ContextDep,
    response: Response,
) -> TrackingOut:
    slug, clean = key_of(carrier, number)
    to_slug = known_carrier(body.carrier)
    if to_slug is None:
        raise ApiError(422, "unknown_carrier", f"unknown carrier {body.carrier!r}")
    try:
        to_clean = clean_number(body.tracking_number)
    except Refused as exc:
        raise refused(exc) from None
    if (to_slug, to_clean) == (slug, clean):
        raise ApiError(422, "same_leg", "a parcel's next leg is another carrier or number")
    link = LegLinkEvent.of(
        (slug, clean), (to_slug, to_clean), source=LinkSource.API, provider="merchant",
        merchant_id=merchant_id, linked_at=ctx.clock(),
    )  # fmt: skip
    async with ctx.pool.acquire() as conn:
        if await pg_store.load(conn, slug, clean, merchant_id) is None:
            raise ApiError(404, "not_found", "no such tracking")
        existed = await pg_store.load(conn, to_slug, to_clean, merchant_id) is not None
        async with conn.transaction():
            await LegStarter(ctx.starter).apply(conn, [link], ctx.clock())
        row = await pg_store.load(conn, to_slug, to_clean, merchant_id)
    if row is None:  # no source can follow that carrier and it was not stored
        raise ApiError(422, "unknown_carrier", f"{body.carrier!r} cannot be tracked")
    if ctx.legs_out is not None:
        try:
            await ctx.legs_out.publish(link)
        except Exception as exc:  # Kafka away: the merchant retries; the start is idempotent
            raise ApiError(503, "unavailable", "try again", {"Retry-After": "5"}) from exc
    response.status_code = 200 if existed else 201
    return await view(ctx, row, merchant_id)
