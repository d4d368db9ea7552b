"""Sign-in (password, then a TOTP or recovery code), TOTP enrolment, sign-out, password reset."""

from __future__ import annotations

import math
from typing import Annotated, Any

import segno
from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from suivi_console.domain import passwords
from suivi_console.domain.sessions import csrf_token
from suivi_console.domain.totp import provisioning_uri
from suivi_console.handlers.accounts import Outcome, Step
from suivi_console.web.cookies import (
    clear_session,
    form_token,
    form_token_ok,
    remember_form_token,
    set_session,
)
from suivi_console.web.deps import (
    ContextDep,
    FormDep,
    PendingDep,
    PendingFormDep,
    Refused,
    SessionDep,
    client_address,
)
from suivi_console.web.render import page

router = APIRouter(include_in_schema=False)
Text = Annotated[str, Form(max_length=300)]


def _anonymous(request: Request, ctx: ContextDep, template: str, status: int = 200,
               headers: dict[str, str] | None = None, **values: Any) -> Response:  # fmt: skip
    secure = ctx.settings.cookie_secure
    token = form_token(request, secure)
    response = page(request, template, status, headers, form_token=token, **values)
    remember_form_token(response, token, secure)
    return response


def _check_anonymous(request: Request, ctx: ContextDep, token: str) -> None:
    if not form_token_ok(request, token, ctx.settings.cookie_secure):
        raise Refused(403, "error.csrf")


def _wait(outcome: Outcome) -> int:
    return max(1, math.ceil(outcome.retry_after.total_seconds())) if outcome.retry_after else 1


def _throttled(request: Request, template: str, outcome: Outcome, **values: Any) -> Response:
    seconds = _wait(outcome)
    return page(request, template, 429, {"Retry-After": str(seconds)},
                error="error.throttled", seconds=seconds, **values)  # fmt: skip


def _to(location: str) -> RedirectResponse:
    return RedirectResponse(location, status_code=303)


@router.get("/signin")
async def signin_page(request: Request, ctx: ContextDep) -> Response:
    return _anonymous(request, ctx, "signin.html")


@router.post("/signin")
async def signin(request: Request, ctx: ContextDep, email: Text, password: Text,
                 form_token: Text) -> Response:  # fmt: skip
    _check_anonymous(request, ctx, form_token)
    outcome = await ctx.accounts.sign_in(email, password, client_address(request))
    if outcome.step is Step.THROTTLED:
        seconds = _wait(outcome)
        return _anonymous(request, ctx, "signin.html", 429, {"Retry-After": str(seconds)},
                          error="error.throttled", seconds=seconds)  # fmt: skip
    if outcome.step is Step.REFUSED or outcome.session_id is None:
        return _anonymous(request, ctx, "signin.html", 401, error="error.signin")
    target = {Step.DONE: "/", Step.ENROL: "/signin/enrol"}.get(outcome.step, "/signin/code")
    response = _to(target)
    set_session(response, outcome.session_id, ctx.settings.cookie_secure)
    return response


@router.get("/signin/code")
async def code_page(request: Request, session: PendingDep) -> Response:
    if session.user.totp_secret is None:
        return _to("/signin/enrol")
    return page(request, "code.html", csrf=csrf_token(session.secret))


@router.post("/signin/code")
async def code(request: Request, ctx: ContextDep, session: PendingFormDep, code: Text) -> Response:
    outcome = await ctx.accounts.second_factor(session, code, client_address(request))
    csrf = csrf_token(session.secret)
    if outcome.step is Step.THROTTLED:
        return _throttled(request, "code.html", outcome, csrf=csrf)
    if outcome.step is not Step.DONE or outcome.session_id is None:
        return page(request, "code.html", 401, csrf=csrf, error="error.code")
    response = _to("/")
    set_session(response, outcome.session_id, ctx.settings.cookie_secure)
    return response


@router.get("/signin/enrol")
async def enrol_page(request: Request, ctx: ContextDep, session: PendingDep) -> Response:
    if session.user.totp_secret is not None:
        return _to("/signin/code")
    secret = session.pending_totp or await ctx.accounts.start_enrolment(session)
    return _enrol(request, session.secret, session.user.email, secret)


def _enrol(request: Request, session_secret: str, email: str, secret: str, status: int = 200,
           error: str | None = None, action: str = "/signin/enrol") -> Response:  # fmt: skip
    uri = provisioning_uri(secret, email)
    qr = segno.make(uri, error="m").svg_data_uri(scale=5, border=2)
    return page(request, "enrol.html", status, csrf=csrf_token(session_secret), qr=qr,
                secret=secret, error=error, action=action)  # fmt: skip


@router.post("/signin/enrol")
async def enrol(request: Request, ctx: ContextDep, session: PendingFormDep, code: Text) -> Response:
    done = await ctx.accounts.confirm_enrolment(session, code)
    if done is None:
        if session.pending_totp is None:
            return _to("/signin/enrol")
        return _enrol(request, session.secret, session.user.email, session.pending_totp, 401,
                      "error.code")  # fmt: skip
    session_id, codes = done
    response = page(request, "codes.html", codes=codes)
    set_session(response, session_id, ctx.settings.cookie_secure)
    return response


@router.get("/account/two-factor")
async def optional_enrol_page(request: Request, ctx: ContextDep, session: SessionDep) -> Response:
    """Staff may enrol too (owners had to before reaching any page)."""
    if session.user.totp_secret is not None:
        return page(request, "message.html", user=session.user, csrf=csrf_token(session.secret),
                    message="enrol.already")  # fmt: skip
    secret = session.pending_totp or await ctx.accounts.start_enrolment(session)
    return _enrol(request, session.secret, session.user.email, secret, action="/account/two-factor")


@router.post("/account/two-factor")
async def optional_enrol(
    request: Request, ctx: ContextDep, session: FormDep, code: Text
) -> Response:
    if session.user.totp_secret is not None or session.pending_totp is None:
        return _to("/account/two-factor")
    done = await ctx.accounts.confirm_enrolment(session, code)
    if done is None:
        return _enrol(request, session.secret, session.user.email, session.pending_totp, 401,
                      "error.code", action="/account/two-factor")  # fmt: skip
    session_id, codes = done
    response = page(request, "codes.html", codes=codes)
    set_session(response, session_id, ctx.settings.cookie_secure)
    return response


@router.post("/signout")
async def signout(ctx: ContextDep, session: FormDep) -> Response:
    await ctx.accounts.sign_out(session)
    response = _to("/signin")
    clear_session(response, ctx.settings.cookie_secure)
    return response


@router.get("/reset")
async def reset_page(request: Request, ctx: ContextDep) -> Response:
    return _anonymous(request, ctx, "reset.html")


@router.post("/reset")
async def reset(request: Request, ctx: ContextDep, email: Text, form_token: Text) -> Response:
    _check_anonymous(request, ctx, form_token)
    await ctx.accounts.request_reset(email, client_address(request))
    return page(request, "message.html", message="reset.sent")


@router.get("/reset/{token}")
async def new_password_page(request: Request, ctx: ContextDep, token: str) -> Response:
    if len(token) > 200 or not await ctx.accounts.reset_token_ok(token):
        return page(request, "message.html", 404, message="reset.invalid")
    return _anonymous(request, ctx, "new_password.html", token=token)


@router.post("/reset/{token}")
async def new_password(request: Request, ctx: ContextDep, token: str, password: Text,
                       form_token: Text) -> Response:  # fmt: skip
    _check_anonymous(request, ctx, form_token)
    problem = passwords.password_problem(password)
    if problem:
        return _anonymous(request, ctx, "new_password.html", 400, token=token,
                          error="error.password")  # fmt: skip
    if len(token) > 200 or not await ctx.accounts.complete_reset(token, password):
        return page(request, "message.html", 404, message="reset.invalid")
    return page(request, "message.html", message="reset.done")
