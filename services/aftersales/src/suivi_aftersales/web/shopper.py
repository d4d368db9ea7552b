"""The shopper's return pages under the status page's private link, `/orders/{token}/returns`:
the request form, each return's page (stepper, instructions, proof of deposit and its PDF), and
the deposit receipt's tracking number. Forms carry a CSRF token bound to the page; a refusal is
the page again with a clear message and a 4xx, never a 500."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import RedirectResponse

from suivi_aftersales.adapters import pg_returns
from suivi_aftersales.domain.policy import (
    OrderFacts,
    Policy,
    Refusal,
    RequestedItem,
    can_start,
    window_end,
)
from suivi_aftersales.domain.returns import Return, TransitionRefusedError
from suivi_aftersales.handlers.returns import RefusedError
from suivi_aftersales.web.deps import (
    ApiContext,
    ContextDep,
    LimitedPost,
    PageNotFoundError,
    ShopperOrderDep,
)
from suivi_aftersales.web.forms import same_origin
from suivi_aftersales.web.pages import Translator, page, place, shopper_translator
from suivi_aftersales.web.receipt import receipt_pdf
from suivi_schemas.carriers import canonical_carrier
from suivi_schemas.common import identifier
from suivi_schemas.detection import detect
from suivi_schemas.returns import ReturnMethod, ReturnState

router = APIRouter(prefix="/orders/{token}/returns", include_in_schema=False)
S = ReturnState
CARRIERS = (("laposte", "La Poste / Colissimo"), ("chronopost", "Chronopost"),
            ("mondialrelay", "Mondial Relay"), ("ups", "UPS"), ("dhl", "DHL"),
            ("fedex", "FedEx"), ("usps", "USPS"), ("gls", "GLS"), ("dpd", "DPD"))  # fmt: skip
STEPS = (S.REQUESTED, S.APPROVED, S.DROPPED_OFF, S.IN_TRANSIT, S.RECEIVED)


@dataclass(frozen=True, slots=True)
class FormLine:
    line_item_id: str
    title: str
    left: int


@dataclass(frozen=True, slots=True)
class FormView:
    csrf: str
    policy: Policy
    window_end: datetime
    lines: tuple[FormLine, ...]


async def _returns_page(
    ctx: ApiContext, order: OrderFacts, token: str, t: Translator, refusal: Refusal | None = None
) -> Response:
    now = ctx.clock()
    async with ctx.pool.acquire() as conn:
        policy = await pg_returns.load_policy(conn, order.merchant_id)
        existing = await pg_returns.of_order(conn, order.merchant_id, order.order_number)
        already = await pg_returns.returned_quantities(conn, order.merchant_id, order.order_number)
    blocked = (
        Refusal("returns_not_offered", 409, "") if policy is None else can_start(order, policy, now)
    )
    form = None
    lines: tuple[FormLine, ...] = ()
    if blocked is None and policy is not None:
        end = window_end(order, policy)
        assert end is not None  # can_start checked the order is delivered
        lines = tuple(
            FormLine(line.line_item_id, line.title, line.quantity - already.get(lid, 0))
            for lid, line in order.lines.items()
            if line.quantity > already.get(lid, 0) and line.sku not in policy.ineligible_skus
        )
        if lines:
            csrf = ctx.forms.issue(token, "request", now)
            form = FormView(csrf, policy, end, lines)
    shown = refusal or blocked
    return page(
        "returns.html", t, refusal.status if refusal else 200, order=order, existing=existing,
        form=form, none_left=blocked is None and not lines, refusal=shown.code if shown else None,
        base=f"/orders/{token}/returns", here=f"/orders/{token}/returns",
    )  # fmt: skip


@router.get("")
async def returns_page(
    token: str, order: ShopperOrderDep, ctx: ContextDep, request: Request
) -> Response:
    return await _returns_page(ctx, order, token, shopper_translator(request, order.locale))


def _requested_items(form: Any) -> list[RequestedItem] | Refusal:
    items: list[RequestedItem] = []
    for name, value in form.multi_items():
        if not isinstance(name, str) or not name.startswith("qty:") or not isinstance(value, str):
            continue
        line_item_id = name.removeprefix("qty:")
        if not value.isdigit() or len(value) > 4:
            return Refusal("over_quantity", 422, "a quantity is not a whole number")
        if int(value) == 0:
            continue
        reason = form.get(f"reason:{line_item_id}")
        items.append(
            RequestedItem(line_item_id, int(value), reason if isinstance(reason, str) else "")
        )
    return items


@router.post("", dependencies=[LimitedPost])
async def request_return(
    token: str, order: ShopperOrderDep, ctx: ContextDep, request: Request
) -> Response:
    t = shopper_translator(request, order.locale)
    form = await request.form(max_files=0, max_fields=200)
    csrf = form.get("csrf")
    key = ctx.forms.check(csrf, token, "request", ctx.clock()) if isinstance(csrf, str) else None
    if key is None or not same_origin(request):
        return await _returns_page(ctx, order, token, t, Refusal("form_expired", 403, ""))
    items = _requested_items(form)
    method_value = form.get("method")
    comment = form.get("comment")
    if isinstance(items, Refusal):
        return await _returns_page(ctx, order, token, t, items)
    try:
        method = ReturnMethod(method_value if isinstance(method_value, str) else "")
    except ValueError:
        return await _returns_page(ctx, order, token, t, Refusal("method_not_offered", 422, ""))
    text = comment.strip()[:1000] if isinstance(comment, str) and comment.strip() else None
    try:
        ret = await ctx.returns.request(order, items, method, text, key)
    except RefusedError as refused:
        ctx.metrics.refused.labels(refused.refusal.code).inc()
        return await _returns_page(ctx, order, token, t, refused.refusal)
    url = f"/orders/{token}/returns/{ret.return_id}?lang={t.language}"
    return RedirectResponse(url, status_code=303, headers={"Cache-Control": "no-store"})


async def _own_return(ctx: ApiContext, order: OrderFacts, return_id: str) -> Return:
    async with ctx.pool.acquire() as conn:
        ret = await pg_returns.load(conn, order.merchant_id, return_id[:64])
    if ret is None or ret.order_number != order.order_number:
        raise PageNotFoundError()
    return ret


def _steps(ret: Return, t: Translator) -> list[dict[str, str]]:
    reached = {S.REQUESTED: True, S.APPROVED: ret.approved_at is not None,
               S.DROPPED_OFF: ret.dropped_off_at is not None,
               S.IN_TRANSIT: ret.state in (S.IN_TRANSIT, S.RECEIVED, S.INSPECTED, S.REFUNDED,
                                           S.EXCHANGED) or ret.received_at is not None,
               S.RECEIVED: ret.received_at is not None}  # fmt: skip
    steps = [
        {"key": s.value, "label": t(f"state.{s.value}"), "css": "done" if reached[s] else ""}
        for s in STEPS
    ]
    if ret.state in (S.REJECTED, S.EXPIRED):
        steps = [s for s in steps if s["css"] == "done"]
        steps.append({"key": ret.state.value, "label": t(f"state.{ret.state.value}"),
                      "css": "current ended"})  # fmt: skip
        return steps
    final = ret.state if ret.state in (S.REFUNDED, S.EXCHANGED) else None
    label = t(f"state.{final.value}") if final else t("step.resolved")
    steps.append({"key": "resolved", "label": label, "css": "done" if final else ""})
    current = next((s for s in reversed(steps) if s["css"] == "done"), steps[0])
    current["css"] = "done current"
    return steps


def _instructions(ret: Return, policy: Policy | None, t: Translator) -> str | None:
    if ret.state is S.REQUESTED:
        return t("do.requested")
    if ret.state is S.APPROVED:
        return t(f"do.approved.{ret.method.value}", rma=ret.return_id)
    if ret.state in (S.DROPPED_OFF, S.IN_TRANSIT):
        return t("do.moving")
    if ret.state in (S.RECEIVED, S.INSPECTED):
        return t("do.received")
    return None


async def _return_page(
    ctx: ApiContext, order: OrderFacts, token: str, ret: Return, t: Translator,
    refusal: Refusal | None = None,
) -> Response:  # fmt: skip
    async with ctx.pool.acquire() as conn:
        policy = await pg_returns.load_policy(conn, order.merchant_id)
    open_for_tracking = ret.state in (S.REQUESTED, S.APPROVED) and ret.dropped_off_at is None
    csrf = ctx.forms.issue(token, f"tracking:{ret.return_id}", ctx.clock())
    paid = t(f"paid.{policy.paid_by}") if policy and ret.state is S.APPROVED else None
    return page(
        "return.html", t, refusal.status if refusal else 200, ret=ret, steps=_steps(ret, t),
        instructions=_instructions(ret, policy, t), paid=paid,
        deposit_place=place(ret.deposit_location), carriers=CARRIERS,
        tracking_form=csrf if open_for_tracking else None,
        refusal=refusal.code if refusal else None, base=f"/orders/{token}/returns",
        here=f"/orders/{token}/returns/{ret.return_id}",
    )  # fmt: skip


@router.get("/{return_id}")
async def return_page(
    token: str, return_id: str, order: ShopperOrderDep, ctx: ContextDep, request: Request
) -> Response:
    ret = await _own_return(ctx, order, return_id)
    return await _return_page(ctx, order, token, ret, shopper_translator(request, order.locale))


def _parcel(form: Any) -> tuple[str, str] | None:
    number, carrier = form.get("tracking_number"), form.get("carrier")
    if not isinstance(number, str) or not isinstance(carrier, str):
        return None
    number = number.strip()
    try:
        identifier(number)
    except ValueError:
        return None
    if not 4 <= len(number) <= 64:
        return None
    if carrier.strip():
        slug = canonical_carrier(carrier)
    else:
        found = detect(number)
        slug = found[0].carrier if found else ""
    return (slug, number) if slug else None


@router.post("/{return_id}/tracking", dependencies=[LimitedPost])
async def shopper_tracking(
    token: str, return_id: str, order: ShopperOrderDep, ctx: ContextDep, request: Request
) -> Response:
    t = shopper_translator(request, order.locale)
    ret = await _own_return(ctx, order, return_id)
    form = await request.form(max_files=0, max_fields=20)
    csrf = form.get("csrf")
    purpose = f"tracking:{ret.return_id}"
    if not isinstance(csrf, str) or ctx.forms.check(csrf, token, purpose, ctx.clock()) is None:
        return await _return_page(ctx, order, token, ret, t, Refusal("form_expired", 403, ""))
    if not same_origin(request):
        return await _return_page(ctx, order, token, ret, t, Refusal("form_expired", 403, ""))
    parcel = _parcel(form)
    if parcel is None:
        return await _return_page(ctx, order, token, ret, t, Refusal("invalid_tracking", 422, ""))
    try:
        ret = await ctx.returns.attach(order.merchant_id, ret.return_id, *parcel)
    except TransitionRefusedError:
        return await _return_page(ctx, order, token, ret, t, Refusal("invalid_transition", 409, ""))
    url = f"/orders/{token}/returns/{ret.return_id}?lang={t.language}"
    return RedirectResponse(url, status_code=303, headers={"Cache-Control": "no-store"})


@router.get("/{return_id}/receipt.pdf")
async def receipt(
    token: str, return_id: str, order: ShopperOrderDep, ctx: ContextDep, request: Request
) -> Response:
    ret = await _own_return(ctx, order, return_id)
    if ret.deposit_at is None:
        raise PageNotFoundError()
    # In a thread, as the dossier: a font takes a few hundred milliseconds to load.
    body = await asyncio.to_thread(
        receipt_pdf, ret, shopper_translator(request, order.locale), ctx.pdf_fonts
    )
    return Response(
        body, media_type="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{ret.return_id}-receipt.pdf"',
                 "Cache-Control": "no-store", "X-Content-Type-Options": "nosniff",
                 "Referrer-Policy": "no-referrer"},
    )  # fmt: skip
