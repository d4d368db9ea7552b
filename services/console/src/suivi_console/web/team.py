"""The team page: the merchant's users; an owner invites staff by email and removes them."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from suivi_console.adapters import pg_merchants as pgm
from suivi_console.domain.sessions import csrf_token
from suivi_console.handlers.merchants import NotFound
from suivi_console.handlers.team import Taken
from suivi_console.web.deps import ContextDep, FormDep, Refused, SessionDep, actor
from suivi_console.web.render import page

router = APIRouter(include_in_schema=False)


async def _team_page(request: Request, ctx: ContextDep, session: SessionDep, status: int = 200,
                     **shown: Any) -> Response:  # fmt: skip
    members = await ctx.team.members(session.user.merchant_id)
    return page(request, "team.html", status, csrf=csrf_token(session.secret), user=session.user,
                members=members, **shown)  # fmt: skip


@router.get("/team")
async def team_page(request: Request, ctx: ContextDep, session: SessionDep) -> Response:
    return await _team_page(request, ctx, session)


@router.post("/team/invite")
async def invite(
    request: Request, ctx: ContextDep, session: FormDep,
    email: Annotated[str, Form(min_length=3, max_length=254, pattern=r"^[^@\s]+@[^@\s]+$")],
) -> Response:  # fmt: skip
    if session.user.role != "owner":
        raise Refused(403, "error.owner_only")
    async with ctx.pool.acquire() as conn:
        row = await pgm.merchant(conn, session.user.merchant_id)
    shop = str(row.branding.get("display_name", "")) if row else ""
    try:
        await ctx.team.invite(actor(session), email, shop or session.user.merchant_id)
    except Taken:
        return await _team_page(request, ctx, session, 409, error="error.taken")
    return await _team_page(request, ctx, session, 201, notice="team.invited")


@router.post("/team/remove")
async def remove(
    request: Request, ctx: ContextDep, session: FormDep,
    user_id: Annotated[int, Form(ge=1, le=2**62)],
) -> Response:  # fmt: skip
    if session.user.role != "owner":
        raise Refused(403, "error.owner_only")
    try:
        await ctx.team.remove(actor(session), user_id)
    except NotFound:
        raise Refused(404, "error.not_found") from None
    return await _team_page(request, ctx, session)
