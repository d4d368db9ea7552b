"""The dashboard's routes: request a sign-in link (from the shop's lookup page), open it, the
list of orders with its live fragment and events, consent to every shop, sign out.

Every answer carries the status pages' headers (no-store, noindex, no referrer, strict CSP).
Forms carry CSRF tokens: before sign-in a double-submit cookie (`…_form`, SameSite=Strict),
after it an HMAC of the session id. The session cookie is HttpOnly, SameSite=Lax, Secure and
`__Host-` named on https; the server keeps the session (idle and absolute timeouts).
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Awaitable, Callable
from typing import Annotated, Any, Literal
from urllib.parse import parse_qsl

from fastapi import APIRouter, Depends, HTTPException, Request, Response
from fastapi.responses import RedirectResponse

from suivi_projections.web.context import ApiContext
from suivi_projections.web.dashboard.aftersales import lines_of
from suivi_projections.web.dashboard.render import render_dashboard, render_link, render_note
from suivi_projections.web.dashboard.service import Dashboard, LinkState, Session
from suivi_projections.web.dashboard.view import Show, cards, counts
from suivi_projections.web.deps import ContextDep, ReadModelDep
from suivi_projections.web.events import live_events, too_busy
from suivi_projections.web.pages.i18n import Translator, choose_language
from suivi_projections.web.ratelimit import client_key, retry_after
from suivi_projections.web.responses import error_response, html_response

MAX_BODY = 4096
_EMAIL = re.compile(r"[^@\s]{1,64}@[^@\s]{1,253}")
_MERCHANT = re.compile(r"[a-z0-9][a-z0-9._-]{0,63}")
_REFUSED = {LinkState.USED: 410, LinkState.EXPIRED: 410, LinkState.INVALID: 400}

router = APIRouter(tags=["shopper"], include_in_schema=False)


def install_dashboard(app: Any, dashboard: Dashboard) -> None:
    """Makes `dashboard` what the routes use (the lifespan's, or a test's)."""
    app.state.dashboard = dashboard


async def _dashboard(request: Request) -> Dashboard:
    found: Dashboard | None = getattr(request.app.state, "dashboard", None)
    if found is None:
        raise HTTPException(404, "no dashboard here")
    return found


DashboardDep = Annotated[Dashboard, Depends(_dashboard)]


def cookie_name(request: Request, base: str) -> str:
    return f"__Host-{base}" if request.url.scheme == "https" else base


def _set_cookie(
    response: Response, request: Request, base: str, value: str, same_site: Literal["lax", "strict"]
) -> None:
    secure = request.url.scheme == "https"
    name = cookie_name(request, base)
    response.set_cookie(name, value, httponly=True, samesite=same_site, secure=secure, path="/")


def form_token(request: Request, ctx_keys: Any) -> tuple[str, str]:
    """(cookie value, form field) of an anonymous form: the cookie kept if the browser has one."""
    secret = request.cookies.get(cookie_name(request, "suivi_me_form")) or secrets.token_urlsafe(24)
    return secret, ctx_keys.csrf(secret)


def signin_section(request: Request, merchant_id: str) -> tuple[dict[str, str], str] | None:
    """The lookup page's sign-in form (context, cookie value), when this app has a dashboard."""
    dashboard: Dashboard | None = getattr(request.app.state, "dashboard", None)
    if dashboard is None:
        return None
    secret, token = form_token(request, dashboard.keys)
    return {"merchant_id": merchant_id, "csrf": token}, secret


def remember_form(response: Response, request: Request, secret: str) -> None:
    _set_cookie(response, request, "suivi_me_form", secret, "strict")


async def _form(request: Request) -> dict[str, str]:
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_BODY:
            raise HTTPException(413, f"body larger than {MAX_BODY} bytes")
    try:
        return dict(parse_qsl(body.decode("utf-8"), max_num_fields=10))
    except (UnicodeDecodeError, ValueError):
        return {}


def _t(request: Request, lang: str | None) -> Translator:
    return Translator(choose_language(override=lang, accept=request.headers.get("accept-language")))


def _shop(ctx: ApiContext, merchant_id: str) -> str:
    return ctx.shops.name(merchant_id) or merchant_id


def _refused(
    t: Translator, text: str, status: int, merchant_id: str = "", **headers: str
) -> Response:
    """A refusal page with the way back to the shop's lookup page."""
    shop = merchant_id if _MERCHANT.fullmatch(merchant_id) else ""
    page = render_note(t, title=t("dashboard.refused"), text=text, merchant_id=shop)
    return html_response(page, status, headers)


def _anonymous_ok(dashboard: Dashboard, request: Request, fields: dict[str, str]) -> bool:
    secret = request.cookies.get(cookie_name(request, "suivi_me_form"))
    return dashboard.keys.csrf_ok(secret, fields.get("csrf"))


@router.post("/me/link")
async def request_link(ctx: ContextDep, dashboard: DashboardDep, request: Request) -> Response:
    """Mails a sign-in link if the email has orders at the shop; the same answer either way."""
    fields = await _form(request)
    t = _t(request, fields.get("lang"))
    merchant = fields.get("merchant_id", "").strip().lower()
    email = fields.get("email", "").strip().lower()
    if not _anonymous_ok(dashboard, request, fields):
        return _refused(t, t("dashboard.csrf"), 403, merchant)
    if not _MERCHANT.fullmatch(merchant) or len(email) > 254 or not _EMAIL.fullmatch(email):
        return _refused(t, t("lookup.invalid"), 400, merchant)
    client = client_key(request.client.host if request.client else None)
    refused = await dashboard.limiter.check(client, merchant, email)
    if refused is not None:
        ctx.metrics.rate_limited.labels(refused.limit).inc()
        seconds = retry_after(refused.wait)
        text = t("lookup.rate_limited", seconds=seconds)
        return _refused(t, text, 429, merchant, **{"Retry-After": seconds})
    await dashboard.request_link(merchant, email, t.language)
    text = t(
        "dashboard.sent.text", shop=_shop(ctx, merchant), minutes=dashboard.config.link_minutes
    )
    return html_response(render_note(t, title=t("dashboard.sent.title"), text=text,
                                     merchant_id=merchant))  # fmt: skip


@router.get("/me/signin/{link}")
async def open_link(
    ctx: ContextDep, dashboard: DashboardDep, request: Request, link: str, lang: str | None = None
) -> Response:
    """Asks to confirm (a mail scanner following the link signs nobody in)."""
    state, merchant = await dashboard.check_link(link[:200])
    t = _t(request, lang)
    secret, token = form_token(request, dashboard.keys)
    shop = _shop(ctx, merchant) if merchant else ""
    page = render_link(t, state=state, link=link if state is LinkState.VALID else "", csrf=token,
                       shop=shop)  # fmt: skip
    response = html_response(page, 200 if state is LinkState.VALID else _REFUSED[state])
    remember_form(response, request, secret)
    return response


@router.post("/me/signin")
async def sign_in(ctx: ContextDep, dashboard: DashboardDep, request: Request) -> Response:
    fields = await _form(request)
    t = _t(request, fields.get("lang"))
    if not _anonymous_ok(dashboard, request, fields):
        return _refused(t, t("dashboard.csrf"), 403)
    state, session = await dashboard.sign_in(fields.get("link", "")[:200])
    if session is None:
        page = render_link(t, state=state, link="", csrf="", shop="")
        return html_response(page, _REFUSED.get(state, 400))
    previous = await _session(dashboard, request)
    if previous is not None:  # one session per browser: the one it had ends here
        await dashboard.sign_out(previous)
    response = RedirectResponse(f"/me?lang={t.language}", 303, {"Cache-Control": "no-store"})
    _set_cookie(response, request, "suivi_me", session.session_id, "lax")
    return response


async def _session(dashboard: Dashboard, request: Request) -> Session | None:
    return await dashboard.session(request.cookies.get(cookie_name(request, "suivi_me")))


async def _list(
    ctx: ApiContext, dashboard: Dashboard, read_model: Any, request: Request, show: str | None,
    lang: str | None, fragment: bool,
) -> Response:  # fmt: skip
    session = await _session(dashboard, request)
    t = _t(request, lang)
    if session is None:
        if fragment:
            return error_response(401, "signed_out", "sign in again")
        page = render_note(t, title=t("dashboard.signed_out.title"),
                           text=t("dashboard.signed_out.expired"), merchant_id="")  # fmt: skip
        return html_response(page, 401)
    several = len(ctx.shops.listed()) > 1
    every_shop = await dashboard.consented(session) if several else False
    orders = []
    for token in await dashboard.order_tokens(session, every_shop):
        order = await read_model.order_by_status_token(token)
        if order is not None:
            orders.append(order)
    names = {o.merchant_id: ctx.shops.name(o.merchant_id) for o in orders}
    cases = await lines_of(dashboard.pool, orders, t, ctx.settings.aftersales_base_url)
    found = cards(orders, t, names, cases)
    chosen = Show(show) if show in {s.value for s in Show} else Show.ALL
    csrf = dashboard.keys.csrf(session.session_id)
    page = render_dashboard(
        t, cards=found, show=chosen, counts=counts(found), csrf=csrf, email=session.email,
        shop=_shop(ctx, session.merchant_id), every_shop=every_shop if several else None,
        fragment=fragment,
    )  # fmt: skip
    return html_response(page)


def _list_route(*, fragment: bool) -> Callable[..., Awaitable[Response]]:
    async def endpoint(
        ctx: ContextDep, dashboard: DashboardDep, read_model: ReadModelDep, request: Request,
        show: str | None = None, lang: str | None = None,
    ) -> Response:  # fmt: skip
        return await _list(ctx, dashboard, read_model, request, show, lang, fragment=fragment)

    return endpoint


# The list and its live part, re-fetched when the events say an order changed.
router.add_api_route("/me", _list_route(fragment=False), name="my_orders")
router.add_api_route("/me/fragment", _list_route(fragment=True), name="my_orders_fragment")


@router.get("/me/events")
async def my_events(ctx: ContextDep, dashboard: DashboardDep, request: Request) -> Response:
    """`changed` whenever one of the listed orders changed (then the page re-fetches)."""
    session = await _session(dashboard, request)
    if session is None:
        return error_response(401, "signed_out", "sign in again")
    busy = too_busy(ctx)
    if busy is not None:
        return busy
    several = len(ctx.shops.listed()) > 1
    every_shop = await dashboard.consented(session) if several else False
    tokens = await dashboard.order_tokens(session, every_shop)
    return live_events(ctx, *(tokens or [""]))


async def _signed_form(
    dashboard: Dashboard, request: Request
) -> tuple[Session | None, dict[str, str]]:
    fields = await _form(request)
    session = await _session(dashboard, request)
    if session is None or not dashboard.keys.csrf_ok(session.session_id, fields.get("csrf")):
        return None, fields
    return session, fields


@router.post("/me/signout")
async def sign_out(dashboard: DashboardDep, request: Request) -> Response:
    session, fields = await _signed_form(dashboard, request)
    t = _t(request, fields.get("lang"))
    if session is None:
        return _refused(t, t("dashboard.csrf"), 403)
    await dashboard.sign_out(session)
    title, text = t("dashboard.signed_out.title"), t("dashboard.signed_out.text")
    page = render_note(t, title=title, text=text, merchant_id=session.merchant_id)
    response = html_response(page)
    response.delete_cookie(cookie_name(request, "suivi_me"), path="/",
                           secure=request.url.scheme == "https", httponly=True)  # fmt: skip
    return response


@router.post("/me/consent")
async def consent(dashboard: DashboardDep, request: Request) -> Response:
    """Turns 'every shop on one list' on or off for the session's email."""
    session, fields = await _signed_form(dashboard, request)
    if session is None:
        t = _t(request, fields.get("lang"))
        return _refused(t, t("dashboard.csrf"), 403)
    await dashboard.set_consent(session, fields.get("every_shop") == "on")
    return RedirectResponse("/me", 303, {"Cache-Control": "no-store"})
