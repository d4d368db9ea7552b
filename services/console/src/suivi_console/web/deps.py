"""What the routes share, as Annotated dependencies: the context, the session (authenticated or
pending its second factor) and the CSRF check of every form."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

import asyncpg
import httpx
from fastapi import Depends, Request
from pydantic import SecretStr

from suivi_console.adapters import pg_accounts as pga
from suivi_console.domain.sessions import csrf_ok
from suivi_console.handlers.accounts import Accounts
from suivi_console.handlers.merchants import Actor, Merchants
from suivi_console.handlers.team import Team
from suivi_console.settings import ConsoleSettings
from suivi_console.web.cookies import session_name


@dataclass(frozen=True, slots=True)
class ConsoleContext:
    settings: ConsoleSettings
    pool: asyncpg.Pool
    accounts: Accounts
    merchants: Merchants
    team: Team
    http: httpx.AsyncClient
    token_key: SecretStr  # SUIVI_TOKEN_KEY: links to the shopper's status page


class Redirect(Exception):  # noqa: N818 - an answer, not a failure
    """Answered as 303 to `location` (e.g. an expired session → the sign-in page)."""

    def __init__(self, location: str) -> None:
        super().__init__(location)
        self.location = location


class Refused(Exception):  # noqa: N818 - an answer, not a failure
    """Answered as a page saying why, with `status` (403 CSRF, 404 not found, 400 bad input)."""

    def __init__(self, status: int, key: str) -> None:
        super().__init__(key)
        self.status, self.key = status, key


def context(request: Request) -> ConsoleContext:
    ctx: ConsoleContext = request.app.state.context
    return ctx


ContextDep = Annotated[ConsoleContext, Depends(context)]


async def _session(request: Request, ctx: ContextDep) -> pga.Session | None:
    cookie = request.cookies.get(session_name(ctx.settings.cookie_secure))
    if not cookie or len(cookie) > 100:
        return None
    return await ctx.accounts.current(cookie)


async def signed_in(request: Request, ctx: ContextDep) -> pga.Session:
    found = await _session(request, ctx)
    if found is None:
        raise Redirect("/signin")
    if not found.authenticated:
        raise Redirect("/signin/enrol" if found.user.totp_secret is None else "/signin/code")
    return found


async def pending(request: Request, ctx: ContextDep) -> pga.Session:
    found = await _session(request, ctx)
    if found is None:
        raise Redirect("/signin")
    if found.authenticated:
        raise Redirect("/")
    return found


SessionDep = Annotated[pga.Session, Depends(signed_in)]
PendingDep = Annotated[pga.Session, Depends(pending)]


async def checked_form(request: Request, session: SessionDep) -> pga.Session:
    """The session of a form post whose synchronizer token matches (else 403)."""
    form = await request.form()
    token = form.get("csrf")
    if not csrf_ok(session.secret, token if isinstance(token, str) else None):
        raise Refused(403, "error.csrf")
    return session


async def checked_pending_form(request: Request, session: PendingDep) -> pga.Session:
    form = await request.form()
    token = form.get("csrf")
    if not csrf_ok(session.secret, token if isinstance(token, str) else None):
        raise Refused(403, "error.csrf")
    return session


FormDep = Annotated[pga.Session, Depends(checked_form)]
PendingFormDep = Annotated[pga.Session, Depends(checked_pending_form)]


def actor(session: pga.Session) -> Actor:
    return Actor(session.user.merchant_id, session.user.user_id)


def client_address(request: Request) -> str:
    # The direct peer: a deployment behind a proxy sets uvicorn's --forwarded-allow-ips.
    return request.client.host if request.client else "unknown"
