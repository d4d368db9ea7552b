"""What the returns and claims pages share: after-sales' client with the console's key for the
session's merchant, the audit entry of each change, and the pages answering when after-sales is
away (503) or refuses (its 400/409, said precisely), never a 500."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, FastAPI, Request
from fastapi.responses import Response

from suivi_console.adapters import pg_accounts as pga
from suivi_console.adapters import pg_merchants as pgm
from suivi_console.adapters.aftersales import KEY_REFUSED, Aftersales, AftersalesRefused
from suivi_console.adapters.peers import PeerUnavailable
from suivi_console.domain.sessions import csrf_token
from suivi_console.web.deps import ConsoleContext, ContextDep, FormDep, Refused, SessionDep
from suivi_console.web.render import page

# after-sales' refusal codes the pages explain; any other is said generically.
KNOWN_REFUSALS = ("invalid_transition", "invalid_request", "claim_closed")


@dataclass(frozen=True, slots=True)
class Desk:
    """One request's access to after-sales, as the session's merchant."""

    ctx: ConsoleContext
    session: pga.Session
    api: Aftersales
    key: str

    @property
    def merchant_id(self) -> str:
        return self.session.user.merchant_id

    def owner_only(self) -> None:
        if self.session.user.role != "owner":
            raise Refused(403, "error.owner_only")

    async def audit(self, action: str, detail: dict[str, Any]) -> None:
        """An entry per change: ids, states, amounts; never a message, a reason's text or
        anything about the shopper."""
        async with self.ctx.pool.acquire() as conn:
            await pga.audit(conn, self.merchant_id, self.session.user.user_id, action,
                            self.ctx.merchants.clock(), detail)  # fmt: skip

    async def changed(
        self, action: str, found: dict[str, Any] | None, ids: dict[str, str],
        detail: dict[str, Any],
    ) -> None:  # fmt: skip
        """After-sales' answer to a change (None: no such return or claim, a 404): audited."""
        if found is None:
            raise Refused(404, "error.not_found")
        await self.audit(action, {**ids, "state": found["state"], **detail})

    def page(self, request: Request, template: str, status: int = 200, **values: Any) -> Response:
        return page(request, template, status, csrf=csrf_token(self.session.secret),
                    user=self.session.user, **values)  # fmt: skip


async def _desk(request: Request, ctx: ConsoleContext, session: pga.Session) -> Desk:
    request.state.session = session  # the error pages below show the signed-in navigation
    async with ctx.pool.acquire() as conn:
        key = await pgm.internal_key(conn, session.user.merchant_id)
    if key is None:
        raise PeerUnavailable("no internal key")
    base = ctx.settings.aftersales_base_url.rstrip("/")
    return Desk(ctx, session, Aftersales(ctx.http, base), key)


async def desk(request: Request, ctx: ContextDep, session: SessionDep) -> Desk:
    return await _desk(request, ctx, session)


async def form_desk(request: Request, ctx: ContextDep, session: FormDep) -> Desk:
    """The desk of a form post whose CSRF token matched."""
    return await _desk(request, ctx, session)


DeskDep = Annotated[Desk, Depends(desk)]
FormDeskDep = Annotated[Desk, Depends(form_desk)]


def _signed_in(request: Request) -> dict[str, Any]:
    session: pga.Session | None = getattr(request.state, "session", None)
    if session is None:
        return {}
    return {"user": session.user, "csrf": csrf_token(session.secret)}


async def _unavailable(request: Request, exc: Exception) -> Response:
    refused = str(exc) == KEY_REFUSED
    message = "aftersales.key_refused" if refused else "aftersales.unavailable"
    return page(request, "message.html", 503, {"Retry-After": "5"}, message=message,
                **_signed_in(request))  # fmt: skip


async def _refused(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, AftersalesRefused)
    code = exc.code if exc.code in KNOWN_REFUSALS else "other"
    status = exc.status if exc.status in (400, 409) else 400
    back = request.url.path.rsplit("/", 1)[0] if request.method == "POST" else None
    return page(request, "message.html", status, message=f"aftersales.refused.{code}",
                detail=exc.detail, back=back, **_signed_in(request))  # fmt: skip


def install(app: FastAPI) -> None:
    app.add_exception_handler(PeerUnavailable, _unavailable)
    app.add_exception_handler(AftersalesRefused, _refused)
