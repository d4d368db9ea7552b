"""API keys and webhook endpoints of the session's merchant: list, create (shown once), rotate,
revoke. Ids of another merchant are 'not found' (every query is scoped by the session)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from suivi_console.adapters import pg_merchants as pgm
from suivi_console.domain.sessions import csrf_token
from suivi_console.handlers.merchants import NotFound
from suivi_console.web.deps import ContextDep, FormDep, Refused, SessionDep, actor
from suivi_console.web.render import page
from suivi_infra.i18n import N_

router = APIRouter(include_in_schema=False)
Label = Annotated[str, Form(min_length=1, max_length=100)]
Id = Annotated[str, Form(min_length=1, max_length=64)]
# What an endpoint may subscribe to: the notifier sends `shipment.*` to 'alerts', `return.*` to
# 'returns' and `claim.*` to 'claims' (suivi_notifier.adapters.merchant_book.FAMILIES).
EVENTS = ("alerts", "returns", "claims", "digest", "status")
# Built or passed at run time (keys.html, add_webhook): marked for the catalogues.
WORDS = (N_("webhooks.event.returns"), N_("webhooks.event.claims"), N_("error.webhook_events"))


async def _keys_page(request: Request, ctx: ContextDep, session: SessionDep, status: int = 200,
                     **shown: Any) -> Response:  # fmt: skip
    merchant_id = session.user.merchant_id
    async with ctx.pool.acquire() as conn:
        keys = [k for k in await pgm.keys(conn, merchant_id) if not k.internal]
        hooks = await pgm.webhooks(conn, merchant_id)
    return page(request, "keys.html", status, csrf=csrf_token(session.secret), keys=keys,
                hooks=hooks, user=session.user, events=EVENTS, **shown)  # fmt: skip


@router.get("/keys")
async def keys_page(request: Request, ctx: ContextDep, session: SessionDep) -> Response:
    return await _keys_page(request, ctx, session)


def _owner(session: SessionDep) -> None:
    if session.user.role != "owner":
        raise Refused(403, "error.owner_only")


@router.post("/keys")
async def create_key(request: Request, ctx: ContextDep, session: FormDep, label: Label) -> Response:
    _owner(session)
    new = await ctx.merchants.create_key(actor(session), label.strip())
    return await _keys_page(request, ctx, session, 201, new_key=new.plaintext, new_label=label)


@router.post("/keys/rotate")
async def rotate_key(request: Request, ctx: ContextDep, session: FormDep, key_id: Id) -> Response:
    _owner(session)
    try:
        new = await ctx.merchants.rotate_key(actor(session), key_id)
    except NotFound:
        raise Refused(404, "error.not_found") from None
    return await _keys_page(request, ctx, session, new_key=new.plaintext)


@router.post("/keys/revoke")
async def revoke_key(request: Request, ctx: ContextDep, session: FormDep, key_id: Id) -> Response:
    _owner(session)
    try:
        await ctx.merchants.revoke_key(actor(session), key_id)
    except NotFound:
        raise Refused(404, "error.not_found") from None
    return await _keys_page(request, ctx, session, notice="keys.revoked")


@router.post("/webhooks")
async def add_webhook(
    request: Request, ctx: ContextDep, session: FormDep,
    url: Annotated[str, Form(min_length=8, max_length=500)],
    events: Annotated[list[str] | None, Form()] = None,
) -> Response:  # fmt: skip
    _owner(session)
    chosen = list(dict.fromkeys(events or ["alerts"]))
    if any(e not in EVENTS for e in chosen):
        return await _keys_page(request, ctx, session, 400, error="error.webhook_events")
    if not url.startswith("https://") and not (
        ctx.settings.development and url.startswith("http://")
    ):
        return await _keys_page(request, ctx, session, 400, error="error.webhook_url")
    secret = await ctx.merchants.add_webhook(actor(session), url, chosen)
    return await _keys_page(request, ctx, session, 201, new_secret=secret)


@router.post("/webhooks/rotate")
async def rotate_webhook(request: Request, ctx: ContextDep, session: FormDep,
                         endpoint_id: Id) -> Response:  # fmt: skip
    _owner(session)
    try:
        secret = await ctx.merchants.rotate_webhook(actor(session), endpoint_id)
    except NotFound:
        raise Refused(404, "error.not_found") from None
    return await _keys_page(request, ctx, session, new_secret=secret)


@router.post("/webhooks/delete")
async def delete_webhook(request: Request, ctx: ContextDep, session: FormDep,
                         endpoint_id: Id) -> Response:  # fmt: skip
    _owner(session)
    try:
        await ctx.merchants.delete_webhook(actor(session), endpoint_id)
    except NotFound:
        raise Refused(404, "error.not_found") from None
    return await _keys_page(request, ctx, session)
