"""The merchant's claims API (`Authorization: Bearer`, its own claims only: another's is a
404): list, read with the timeline and thread, answer, resolve (refund, reship, rejected with a
reason), close, photos, and the dossier (JSON or PDF) to file with the carrier."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request, Response
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from suivi_aftersales.adapters import pg_claims, pg_claims_analytics
from suivi_aftersales.domain.claims import Claim, response_breached
from suivi_aftersales.handlers.claims import MAX_PHOTOS, ClaimNotFoundError
from suivi_aftersales.web.deps import ApiContext, ApiError, ContextDep, MerchantDep
from suivi_aftersales.web.dossier import dossier_json, dossier_pdf, dossier_translator
from suivi_infra.http import StrictJSONRoute, documented
from suivi_schemas.claims import ClaimOutcome, ClaimState
from suivi_schemas.ids import shipment_key

router = APIRouter(prefix="/v1/claims", tags=["claims"], route_class=StrictJSONRoute)
AUTH = documented({401: "No or wrong merchant key."})
ONE = documented({401: "No or wrong merchant key.", 404: "This merchant has no such claim."})
ACTION = documented(
    {401: "No or wrong merchant key.", 404: "This merchant has no such claim.",
     409: "The claim's state does not allow this."}
)  # fmt: skip


class ClaimOut(BaseModel):
    claim_id: str
    order_number: str
    carrier: str
    tracking_number: str
    reason: str
    state: ClaimState
    opened_at: datetime
    first_response_at: datetime | None
    first_response_breached: bool
    messages: int
    photos: int
    outcome: ClaimOutcome | None
    outcome_reason: str | None


class ClaimPage(BaseModel):
    claims: list[ClaimOut]
    next_after: str | None


class MessageIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    body: str = Field(min_length=1, max_length=2000)


class ResolveIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    outcome: ClaimOutcome
    reason: str | None = Field(default=None, max_length=500)


def claim_out(claim: Claim, ctx: ApiContext) -> ClaimOut:
    return ClaimOut(
        claim_id=claim.claim_id, order_number=claim.order_number, carrier=claim.carrier,
        tracking_number=claim.tracking_number, reason=claim.reason.value, state=claim.state,
        opened_at=claim.opened_at, first_response_at=claim.first_response_at,
        first_response_breached=response_breached(claim, ctx.claims.rules, ctx.clock()),
        messages=claim.messages, photos=claim.photos, outcome=claim.outcome,
        outcome_reason=claim.outcome_reason,
    )  # fmt: skip


async def _claim(ctx: ApiContext, merchant_id: str, claim_id: str) -> Claim:
    async with ctx.pool.acquire() as conn:
        claim = await pg_claims.load(conn, merchant_id, claim_id)
    if claim is None:
        raise ClaimNotFoundError(claim_id)
    return claim


@router.get("", responses=AUTH, summary="The merchant's claims, by state, by claim id")
async def list_claims(
    ctx: ContextDep, merchant_id: MerchantDep, state: ClaimState | None = None,
    after: Annotated[str | None, Query(max_length=64)] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> ClaimPage:  # fmt: skip
    async with ctx.pool.acquire() as conn:
        found = await pg_claims.search(conn, merchant_id, state, after, limit)
    last = found[-1].claim_id if len(found) == limit else None
    return ClaimPage(claims=[claim_out(c, ctx) for c in found], next_after=last)


@router.get("/analytics", responses=AUTH, summary="Claims per carrier, reason and lane; times")
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
        report = await pg_claims_analytics.report(conn, merchant_id, start, end)
    return {"merchant_id": merchant_id, "since": start.astimezone(UTC).isoformat(),
            "until": end.astimezone(UTC).isoformat(), **report}  # fmt: skip


@router.get("/{claim_id}", responses=ONE, summary="One claim with its thread and timeline")
async def get_claim(claim_id: str, ctx: ContextDep, merchant_id: MerchantDep) -> dict[str, Any]:
    claim = await _claim(ctx, merchant_id, claim_id)
    async with ctx.pool.acquire() as conn:
        thread = await pg_claims.messages(conn, merchant_id, claim_id)
        timeline = await pg_claims.timeline(
            conn, shipment_key(claim.carrier, claim.tracking_number)
        )
    return {**claim_out(claim, ctx).model_dump(mode="json"),
            "dossier": dossier_json(claim, timeline, thread)}  # fmt: skip


@router.post("/{claim_id}/messages", responses=ACTION, summary="Answer the shopper")
async def answer(
    claim_id: str, body: MessageIn, ctx: ContextDep, merchant_id: MerchantDep
) -> ClaimOut:
    claim = await ctx.claims.message(merchant_id, claim_id, "merchant", body.body.strip())
    return claim_out(claim, ctx)


@router.post("/{claim_id}/resolve", responses=ACTION, summary="Refund, reship or reject")
async def resolve(
    claim_id: str, body: ResolveIn, ctx: ContextDep, merchant_id: MerchantDep
) -> ClaimOut:
    return claim_out(
        await ctx.claims.resolve(merchant_id, claim_id, body.outcome, body.reason), ctx
    )


@router.post("/{claim_id}/close", responses=ACTION, summary="Close a resolved claim")
async def close(claim_id: str, ctx: ContextDep, merchant_id: MerchantDep) -> ClaimOut:
    return claim_out(await ctx.claims.close(merchant_id, claim_id), ctx)


# Bounded: a number past PostgreSQL's integer was a 503 (found by the fuzzing), now a 400.
PhotoNumber = Annotated[int, Path(ge=1, le=MAX_PHOTOS)]


@router.get("/{claim_id}/photos/{n}", responses=ONE, summary="One photo, as stored (no metadata)")
async def photo(
    claim_id: str, n: PhotoNumber, ctx: ContextDep, merchant_id: MerchantDep
) -> Response:
    async with ctx.pool.acquire() as conn:
        found = await pg_claims.photo(conn, merchant_id, claim_id, n)
    if found is None:
        raise ClaimNotFoundError(claim_id)
    return Response(found[1], media_type=found[0], headers={"Cache-Control": "no-store"})


@router.get("/{claim_id}/dossier.pdf", responses=ONE, summary="The dossier as a PDF")
async def dossier(
    claim_id: str, request: Request, ctx: ContextDep, merchant_id: MerchantDep,
    lang: Annotated[str | None, Query(max_length=35, description="en fr de es it nl")] = None,
) -> Response:  # fmt: skip
    """In `lang`, else the merchant's console language, else Accept-Language, else English."""
    claim = await _claim(ctx, merchant_id, claim_id)
    async with ctx.pool.acquire() as conn:
        thread = await pg_claims.messages(conn, merchant_id, claim_id)
        timeline = await pg_claims.timeline(
            conn, shipment_key(claim.carrier, claim.tracking_number)
        )
        photos = [await pg_claims.photo(conn, merchant_id, claim_id, n)
                  for n in range(1, claim.photos + 1)]  # fmt: skip
    t = dossier_translator(ctx.merchants, merchant_id, lang, request.headers.get("accept-language"))
    images = [p[1] for p in photos if p is not None]
    # In a thread: fonts and photos take a few hundred milliseconds the event loop should not.
    body = await asyncio.to_thread(dossier_pdf, claim, timeline, thread, images, t, ctx.pdf_fonts)
    return Response(body, media_type="application/pdf", headers={
        "Content-Disposition": f'attachment; filename="{claim.claim_id}-dossier.pdf"',
        "Cache-Control": "no-store",
    })  # fmt: skip
