"""Orders (from the projections' merchant API), trackings (from the tracker's API) with a form
to fix those needing information, and the merchant's home page."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import Response

from suivi_console.adapters import pg_merchants as pgm
from suivi_console.adapters.peers import Peers, PeerUnavailable
from suivi_console.domain.sessions import csrf_token
from suivi_console.web.deps import ContextDep, FormDep, SessionDep
from suivi_console.web.render import page
from suivi_infra.tokens import status_token

router = APIRouter(include_in_schema=False)
STATUSES = ("needs_attention", "confirmed", "partially_shipped", "shipped", "in_transit",
            "out_for_delivery", "partially_delivered", "delivered", "cancelled")  # fmt: skip
STATES = ("needs_info", "carrier_uncertain", "expired", "active", "unsupported")
Q = Annotated[str, Query(max_length=100)]


def _peers(ctx: ContextDep) -> Peers:
    s = ctx.settings
    return Peers(ctx.http, s.projections_base_url.rstrip("/"), s.tracker_base_url.rstrip("/"))


async def _key(ctx: ContextDep, merchant_id: str) -> str | None:
    async with ctx.pool.acquire() as conn:
        return await pgm.internal_key(conn, merchant_id)


def _matches(order: dict[str, Any], q: str, since: date | None, until: date | None) -> bool:
    placed = str(order.get("placed_at", ""))[:10]
    if (since and placed < since.isoformat()) or (until and placed > until.isoformat()):
        return False
    return not q or q.lower() in str(order.get("order_number", "")).lower()


@router.get("/")
async def home(session: SessionDep) -> Response:
    return Response(status_code=303, headers={"Location": "/orders"})


@router.get("/orders")
async def orders(
    request: Request, ctx: ContextDep, session: SessionDep, q: Q = "", status: Q = "",
    since: Annotated[date | None, Query()] = None, until: Annotated[date | None, Query()] = None,
) -> Response:  # fmt: skip
    merchant_id = session.user.merchant_id
    key = await _key(ctx, merchant_id)
    found: list[dict[str, Any]] = []
    unavailable = key is None
    if key is not None:
        try:
            if q:  # an exact order number first, then the listing's matches
                exact = await _peers(ctx).order(key, q)
                found = [exact] if exact else []
            if not found:
                listed = await _peers(ctx).orders(key, status if status in STATUSES else None)
                found = [o for o in listed if _matches(o, q, since, until)]
        except PeerUnavailable:
            unavailable = True
    links = {
        o["order_number"]: f"{ctx.settings.status_page_base_url.rstrip('/')}/orders/"
        f"{status_token(ctx.token_key, merchant_id, o['order_number'])}"
        for o in found
    }
    return page(request, "orders.html", csrf=csrf_token(session.secret), user=session.user,
                orders=found, links=links, q=q, status=status, statuses=STATUSES,
                since=since, until=until, unavailable=unavailable)  # fmt: skip


@router.get("/analytics")
@router.get("/merchant/analytics")  # the page's own form submits here
async def analytics(request: Request, ctx: ContextDep, session: SessionDep) -> Response:
    """The projections' analytics page behind the console's session (no API key in the browser):
    fetched with the console's key for the merchant, served with its own CSP (its nonce)."""
    key = await _key(ctx, session.user.merchant_id)
    params = {
        k: v[:32] for k, v in request.query_params.items() if k in ("from", "to", "start", "end")
    }
    try:
        if key is None:
            raise PeerUnavailable("no key")
        answer = await _peers(ctx).analytics_page(key, params)
    except PeerUnavailable:
        return page(request, "message.html", 503, user=session.user,
                    csrf=csrf_token(session.secret), message="orders.unavailable")  # fmt: skip
    if answer.status_code not in (200, 400):
        return page(request, "message.html", 503, user=session.user,
                    csrf=csrf_token(session.secret), message="orders.unavailable")  # fmt: skip
    kept = ("content-security-policy", "cache-control", "referrer-policy")
    headers = {k: v for k, v in answer.headers.items() if k.lower() in kept}
    headers |= {"X-Frame-Options": "DENY", "X-Content-Type-Options": "nosniff"}
    return Response(answer.content, answer.status_code, headers, media_type="text/html")


@router.get("/trackings")
async def trackings(request: Request, ctx: ContextDep, session: SessionDep,
                    state: Q = "needs_info") -> Response:  # fmt: skip
    key = await _key(ctx, session.user.merchant_id)
    items: list[dict[str, Any]] = []
    unavailable = key is None
    if key is not None:
        try:
            items = await _peers(ctx).trackings(key, state if state in STATES else None)
        except PeerUnavailable:
            unavailable = True
    return page(request, "trackings.html", csrf=csrf_token(session.secret), user=session.user,
                trackings=items, state=state, states=STATES, unavailable=unavailable)  # fmt: skip


@router.post("/trackings/fix")
async def fix(
    request: Request, ctx: ContextDep, session: FormDep,
    carrier: Annotated[str, Form(min_length=1, max_length=64)],
    tracking_number: Annotated[str, Form(min_length=1, max_length=200)],
    new_carrier: Annotated[str, Form(max_length=64)] = "",
    postal_code: Annotated[str, Form(max_length=16)] = "",
    country: Annotated[str, Form(max_length=2)] = "",
) -> Response:  # fmt: skip
    body: dict[str, Any] = {}
    if new_carrier.strip():
        body["carrier"] = new_carrier.strip()
    if postal_code.strip() or country.strip():
        body["destination"] = {k: v for k, v in
                               (("postal_code", postal_code.strip()), ("country", country.strip()))
                               if v}  # fmt: skip
    key = await _key(ctx, session.user.merchant_id)
    status = 503
    if key is not None and body:
        try:
            status = await _peers(ctx).fix_tracking(key, carrier, tracking_number, body)
        except PeerUnavailable:
            status = 503
    notice = "trackings.fixed" if status == 200 else "trackings.refused"
    return page(request, "message.html", 200 if status == 200 else 400, user=session.user,
                csrf=csrf_token(session.secret), message=notice, back="/trackings")  # fmt: skip
