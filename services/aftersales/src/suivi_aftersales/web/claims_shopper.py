"""The shopper's claim pages under the private link, `/orders/{token}/claims`: the form (the
reasons each parcel's state allows, a description, up to 5 photos), each claim's thread with a
reply form, and its photos. CSRF tokens on every form; refusals are the page again with a 4xx."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import APIRouter, Request, Response
from fastapi.responses import RedirectResponse

from suivi_aftersales.adapters import pg_claims
from suivi_aftersales.adapters.images import PhotoRefusedError
from suivi_aftersales.domain.claims import Claim, ClaimRefusedError
from suivi_aftersales.domain.policy import OrderFacts
from suivi_aftersales.web.claims_merchant import PhotoNumber
from suivi_aftersales.web.deps import (
    ApiContext,
    ContextDep,
    LimitedPost,
    PageNotFoundError,
    ShopperOrderDep,
)
from suivi_aftersales.web.forms import same_origin
from suivi_aftersales.web.pages import Translator, page, shopper_translator
from suivi_schemas.claims import ClaimReason, ClaimState

router = APIRouter(prefix="/orders/{token}/claims", include_in_schema=False)
MAX_BODY = 32 * 1024 * 1024  # 5 photos of 5 MB, the form's fields, multipart overhead


@dataclass(frozen=True, slots=True)
class ParcelChoice:
    key: str
    carrier: str
    number: str
    reasons: tuple[ClaimReason, ...]


async def _claims_page(
    ctx: ApiContext, order: OrderFacts, token: str, t: Translator, refusal: str | None = None,
    status: int = 200,
) -> Response:  # fmt: skip
    offered = await ctx.claims.offered(order)
    parcels = [
        ParcelChoice(key, key.partition(":")[0], key.partition(":")[2], reasons)
        for key, reasons in offered.items()
        if reasons
    ]
    async with ctx.pool.acquire() as conn:
        existing = await pg_claims.of_order(conn, order.merchant_id, order.order_number)
    # Delivered, but too recently for "not received": suggest the usual checks first.
    early = any(
        ClaimReason.DAMAGED in r and ClaimReason.NOT_RECEIVED not in r for r in offered.values()
    )
    hours = int(ctx.claims.rules.not_received_after.total_seconds() // 3600)
    default = f"{parcels[0].key}|{parcels[0].reasons[0].value}" if parcels else ""
    return page(
        "claims.html", t, status, order=order, existing=existing, parcels=parcels,
        default=default, csrf=ctx.forms.issue(token, "claim", ctx.clock()),
        checks=hours if early else None, refusal=refusal, base=f"/orders/{token}/claims",
        here=f"/orders/{token}/claims",
    )  # fmt: skip


@router.get("")
async def claims_page(
    token: str, order: ShopperOrderDep, ctx: ContextDep, request: Request
) -> Response:
    return await _claims_page(ctx, order, token, shopper_translator(request, order.locale))


def _too_large(request: Request) -> bool:
    length = request.headers.get("content-length")
    return length is None or not length.isdigit() or int(length) > MAX_BODY


@router.post("", dependencies=[LimitedPost])
async def open_claim(
    token: str, order: ShopperOrderDep, ctx: ContextDep, request: Request
) -> Response:
    t = shopper_translator(request, order.locale)
    if _too_large(request):
        return await _claims_page(ctx, order, token, t, "body_too_large", 413)
    form = await request.form(max_files=6, max_fields=20)
    csrf = form.get("csrf")
    key = ctx.forms.check(csrf, token, "claim", ctx.clock()) if isinstance(csrf, str) else None
    if key is None or not same_origin(request):
        return await _claims_page(ctx, order, token, t, "form_expired", 403)
    choice, description = form.get("choice"), form.get("description")
    parcel, _, reason_value = (choice if isinstance(choice, str) else "").rpartition("|")
    text = description.strip() if isinstance(description, str) else ""
    if not text or len(text) > 2000:
        return await _claims_page(ctx, order, token, t, "empty_message", 422)
    try:
        reason = ClaimReason(reason_value)
    except ValueError:
        return await _claims_page(ctx, order, token, t, "reason_not_offered", 422)
    photos = [
        await f.read() for f in form.getlist("photos") if not isinstance(f, str) and f.filename
    ]
    try:
        claim = await ctx.claims.open(order, parcel, reason, text, photos, key)
    except PhotoRefusedError as refused:
        status = 413 if refused.code == "photo_too_large" else 422
        return await _claims_page(ctx, order, token, t, refused.code, status)
    except ClaimRefusedError as refused:
        status = 409 if refused.code in ("claim_open", "reason_not_offered") else 422
        return await _claims_page(ctx, order, token, t, refused.code, status)
    url = f"/orders/{token}/claims/{claim.claim_id}?lang={t.language}"
    return RedirectResponse(url, status_code=303, headers={"Cache-Control": "no-store"})


async def _own_claim(ctx: ApiContext, order: OrderFacts, claim_id: str) -> Claim:
    async with ctx.pool.acquire() as conn:
        claim = await pg_claims.load(conn, order.merchant_id, claim_id[:64])
    if claim is None or claim.order_number != order.order_number:
        raise PageNotFoundError()
    return claim


async def _claim_page(
    ctx: ApiContext, token: str, claim: Claim, t: Translator, refusal: str | None = None,
    status: int = 200,
) -> Response:  # fmt: skip
    async with ctx.pool.acquire() as conn:
        thread = await pg_claims.messages(conn, claim.merchant_id, claim.claim_id)
    reply = None
    if claim.state is not ClaimState.CLOSED:
        reply = ctx.forms.issue(token, f"claim:{claim.claim_id}", ctx.clock())
    return page(
        "claim.html", t, status, claim=claim, messages=thread, reply=reply, refusal=refusal,
        base=f"/orders/{token}/claims", here=f"/orders/{token}/claims/{claim.claim_id}",
    )  # fmt: skip


@router.get("/{claim_id}")
async def claim_page(
    token: str, claim_id: str, order: ShopperOrderDep, ctx: ContextDep, request: Request
) -> Response:
    claim = await _own_claim(ctx, order, claim_id)
    return await _claim_page(ctx, token, claim, shopper_translator(request, order.locale))


@router.post("/{claim_id}/messages", dependencies=[LimitedPost])
async def reply(
    token: str, claim_id: str, order: ShopperOrderDep, ctx: ContextDep, request: Request
) -> Response:
    t = shopper_translator(request, order.locale)
    claim = await _own_claim(ctx, order, claim_id)
    form = await request.form(max_files=0, max_fields=10)
    csrf, body = form.get("csrf"), form.get("body")
    purpose = f"claim:{claim.claim_id}"
    if not isinstance(csrf, str) or ctx.forms.check(csrf, token, purpose, ctx.clock()) is None:
        return await _claim_page(ctx, token, claim, t, "form_expired", 403)
    if not same_origin(request):
        return await _claim_page(ctx, token, claim, t, "form_expired", 403)
    text = body.strip() if isinstance(body, str) else ""
    if not text or len(text) > 2000:
        return await _claim_page(ctx, token, claim, t, "empty_message", 422)
    try:
        await ctx.claims.message(claim.merchant_id, claim.claim_id, "shopper", text)
    except ClaimRefusedError as refused:
        return await _claim_page(ctx, token, claim, t, refused.code, 409)
    url = f"/orders/{token}/claims/{claim.claim_id}?lang={t.language}"
    return RedirectResponse(url, status_code=303, headers={"Cache-Control": "no-store"})


@router.get("/{claim_id}/photos/{n}")
async def photo(
    token: str, claim_id: str, n: PhotoNumber, order: ShopperOrderDep, ctx: ContextDep
) -> Response:
    claim = await _own_claim(ctx, order, claim_id)
    async with ctx.pool.acquire() as conn:
        found = await pg_claims.photo(conn, claim.merchant_id, claim.claim_id, n)
    if found is None:
        raise PageNotFoundError()
    media_type, data = found
    return Response(data, media_type=media_type, headers={
        "Cache-Control": "no-store", "X-Content-Type-Options": "nosniff",
        "Content-Security-Policy": "default-src 'none'", "Referrer-Policy": "no-referrer",
    })  # fmt: skip
