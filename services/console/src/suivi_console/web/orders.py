"""Orders (from the projections' merchant API), trackings (from the tracker's API) with a form
to fix those needing information, and the merchant's home page."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import Response

from suivi_console.adapters import pg_merchants as pgm
from suivi_console.adapters.peers import Peers, PeerUnavailable
from suivi_console.domain.sessions import csrf_token
from suivi_console.web.deps import ContextDep, FormDep, SessionDep
from suivi_console.web.render import page
from suivi_infra.tokens import status_token
from suivi_schemas.carriers import canonical_carrier

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


def _in_range(order: dict[str, Any], since: date | None, until: date | None) -> bool:
    placed = str(order.get("placed_at", ""))[:10]
    return not ((since and placed < since.isoformat()) or (until and placed > until.isoformat()))


@router.get("/")
async def home(session: SessionDep) -> Response:
    return Response(status_code=303, headers={"Location": "/orders"})


async def _found(
    ctx: ContextDep, key: str, q: str, status: str | None, cursor: str | None
) -> tuple[list[dict[str, Any]], str | None]:
    """The page of orders for `q`: an email (matched normalised by the projections), an
    exact order number, else a tracking number; without `q`, the orders by status."""
    peers = _peers(ctx)
    if "@" in q:
        return await peers.search_orders(
            key, {"email": q.strip().lower(), "status": status, "cursor": cursor}
        )
    if not q:
        return await peers.orders(key, status, cursor)
    if not cursor:
        exact = await peers.order(key, q.strip())
        if exact is not None and (status is None or exact.get("status") == status):
            return [exact], None
    return await peers.search_orders(
        key, {"tracking_number": q.strip(), "status": status, "cursor": cursor}
    )


async def _orders_page(
    request: Request, ctx: ContextDep, session: SessionDep, q: str, status: str,
    since: date | None, until: date | None, cursor: str | None,
) -> Response:  # fmt: skip
    merchant_id = session.user.merchant_id
    key = await _key(ctx, merchant_id)
    found: list[dict[str, Any]] = []
    next_cursor = None
    unavailable = key is None
    if key is not None:
        try:
            found, next_cursor = await _found(
                ctx, key, q, status if status in STATUSES else None, cursor
            )
        except PeerUnavailable:
            unavailable = True
    found = [o for o in found if _in_range(o, since, until)]
    links = {
        o["order_number"]: f"{ctx.settings.status_page_base_url.rstrip('/')}/orders/"
        f"{status_token(ctx.token_key, merchant_id, o['order_number'])}"
        for o in found
    }
    # An email search pages on by a POST form (the email stays out of every URL).
    by_email = "@" in q
    return page(request, "orders.html", csrf=csrf_token(session.secret), user=session.user,
                orders=found, links=links, q=q, status=status, statuses=STATUSES,
                since=since, until=until, unavailable=unavailable, next_cursor=next_cursor,
                by_email=by_email)  # fmt: skip


@router.get("/orders")
async def orders(
    request: Request, ctx: ContextDep, session: SessionDep, q: Q = "", status: Q = "",
    since: Annotated[date | None, Query()] = None, until: Annotated[date | None, Query()] = None,
    cursor: Annotated[str, Query(max_length=512)] = "",
) -> Response:  # fmt: skip
    if "@" in q:  # an email is searched by the form's POST only, never from a URL
        q = ""
    return await _orders_page(request, ctx, session, q, status, since, until, cursor or None)


@router.post("/orders/search")
async def search(
    request: Request, ctx: ContextDep, session: FormDep,
    q: Annotated[str, Form(max_length=254)] = "", status: Annotated[str, Form(max_length=32)] = "",
    since: Annotated[date | None, Form()] = None, until: Annotated[date | None, Form()] = None,
    cursor: Annotated[str, Form(max_length=512)] = "",
) -> Response:  # fmt: skip
    """The search form: an email is answered here (its next pages posted again); anything
    else goes to GET /orders, whose URL can be bookmarked."""
    q = q.strip()
    if "@" in q:
        return await _orders_page(request, ctx, session, q, status, since, until, cursor or None)
    query = {"q": q, "status": status, "since": since or "", "until": until or ""}
    location = "/orders?" + urlencode({k: v for k, v in query.items() if v})
    return Response(status_code=303, headers={"Location": location})


@router.get("/orders/search")
async def search_again(session: SessionDep) -> Response:
    """A language switch or a reload of a search: back to the list (no email in this URL)."""
    return Response(status_code=303, headers={"Location": "/orders"})


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
async def trackings(
    request: Request, ctx: ContextDep, session: SessionDep, state: Q = "needs_info",
    carrier: Q = "", cursor: Annotated[str, Query(max_length=64)] = "",
) -> Response:  # fmt: skip
    """The tracker's trackings by state, a carrier kept from each keyset page."""
    key = await _key(ctx, session.user.merchant_id)
    items: list[dict[str, Any]] = []
    next_cursor = None
    unavailable = key is None
    wanted = _carrier(carrier)
    if key is not None:
        try:
            items, next_cursor = await _peers(ctx).trackings(
                key, state if state in STATES else None, cursor or None
            )
        except PeerUnavailable:
            unavailable = True
    items = [t for t in items if not wanted or t.get("carrier") == wanted]
    return page(request, "trackings.html", csrf=csrf_token(session.secret), user=session.user,
                trackings=items, state=state, states=STATES, unavailable=unavailable,
                carrier=carrier, next_cursor=next_cursor)  # fmt: skip


def _carrier(typed: str) -> str:
    """The carrier's slug as the tracker names it ('La Poste' → laposte); as typed if unknown."""
    try:
        return canonical_carrier(typed) if typed.strip() else ""
    except ValueError:
        return typed.strip().lower()


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
