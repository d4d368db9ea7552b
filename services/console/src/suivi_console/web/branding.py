"""Branding (name, logo, colour, contact, message, return policy, the pages' language) with a
preview of the status page's header, and notification settings (channels, triggers, quiet hours,
digest). Logos are served here."""

from __future__ import annotations

from datetime import time
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import Response
from pydantic import ValidationError

from suivi_console.adapters import pg_accounts as pga
from suivi_console.adapters import pg_merchants as pgm
from suivi_console.adapters.images import LogoError, clean_logo
from suivi_console.domain.sessions import csrf_token
from suivi_console.web.deps import ContextDep, FormDep, Refused, SessionDep, actor
from suivi_console.web.render import page
from suivi_infra.i18n import N_
from suivi_infra.language_cookie import picker
from suivi_schemas.branding import BRANDING_LANGUAGES, is_https_url
from suivi_schemas.merchants import Branding, NotificationSettings
from suivi_schemas.triggers import NOTIFICATION_TRIGGERS, current_triggers

router = APIRouter(include_in_schema=False)
Short = Annotated[str, Form(max_length=100)]
Long = Annotated[str, Form(max_length=500)]
CHANNELS = ("email", "sms", "push")
# Passed at run time (save_branding): marked for the catalogues.
WORDS = (N_("error.return_policy_url"), N_("error.language"))


async def _settings_page(request: Request, ctx: ContextDep, session: SessionDep, status: int = 200,
                         **shown: Any) -> Response:  # fmt: skip
    async with ctx.pool.acquire() as conn:
        row = await pgm.merchant(conn, session.user.merchant_id)
        audit = await pga.audit_log(conn, session.user.merchant_id, 20)
    assert row is not None
    branding = Branding.model_validate(row.branding)
    notifications = NotificationSettings.model_validate(row.notifications)
    values: dict[str, Any] = {
        "branding": branding,
        "notifications": notifications,
        "audit": audit,
    } | shown
    return page(request, "settings.html", status, csrf=csrf_token(session.secret),
                user=session.user, channels=CHANNELS, triggers=NOTIFICATION_TRIGGERS,
                page_languages=picker(BRANDING_LANGUAGES), **values)  # fmt: skip


@router.get("/settings")
async def settings_page(request: Request, ctx: ContextDep, session: SessionDep) -> Response:
    return await _settings_page(request, ctx, session)


@router.post("/settings/branding")
async def save_branding(
    request: Request, ctx: ContextDep, session: FormDep, display_name: Short, colour: Short,
    contact_email: Short = "", contact_url: Long = "", message: Long = "",
    return_policy_url: Long = "", language: Annotated[str, Form(max_length=35)] = "",
    logo: Annotated[UploadFile | None, File()] = None,
) -> Response:  # fmt: skip
    if session.user.role != "owner":
        raise Refused(403, "error.owner_only")
    policy, lang = return_policy_url.strip() or None, language.strip() or None
    if policy is not None and not is_https_url(policy):
        return await _settings_page(request, ctx, session, 400, error="error.return_policy_url")
    if lang is not None and lang not in BRANDING_LANGUAGES:
        return await _settings_page(request, ctx, session, 400, error="error.language")
    async with ctx.pool.acquire() as conn:
        row = await pgm.merchant(conn, session.user.merchant_id)
    assert row is not None
    try:
        branding = Branding(
            display_name=display_name.strip(), colour=colour.strip(),
            contact_email=contact_email.strip() or None, contact_url=contact_url.strip() or None,
            message=message.strip(), logo_url=row.branding.get("logo_url"),
            return_policy_url=policy, language=lang,
        )  # fmt: skip
    except ValidationError:
        return await _settings_page(request, ctx, session, 400, error="error.branding")
    cleaned = None
    if logo is not None and logo.filename:
        # Read one byte more than allowed: enough to know it is too large, no more.
        data = await logo.read(ctx.settings.max_logo_bytes + 1)
        try:
            cleaned = clean_logo(data, ctx.settings.max_logo_bytes)
        except LogoError as exc:
            status = 413 if str(exc) == "too_large" else 415
            return await _settings_page(request, ctx, session, status, error=f"error.logo_{exc}")
    await ctx.merchants.set_branding(actor(session), branding, cleaned)
    return await _settings_page(request, ctx, session, notice="settings.saved")


def _time(value: str) -> time | None:
    return time.fromisoformat(value) if value.strip() else None


@router.post("/settings/notifications")
async def save_notifications(
    request: Request, ctx: ContextDep, session: FormDep,
    channels: Annotated[list[str] | None, Form()] = None,
    triggers: Annotated[list[str] | None, Form()] = None,
    quiet_start: Annotated[str, Form(max_length=8)] = "",
    quiet_end: Annotated[str, Form(max_length=8)] = "",
    digest: Annotated[str, Form(max_length=10)] = "daily",
) -> Response:  # fmt: skip
    if session.user.role != "owner":
        raise Refused(403, "error.owner_only")
    try:
        settings = NotificationSettings(
            channels=tuple(c for c in channels or () if c in CHANNELS),  # type: ignore[misc]
            triggers=current_triggers(triggers or ()),  # the one vocabulary
            quiet_start=_time(quiet_start), quiet_end=_time(quiet_end),
            digest=digest,  # type: ignore[arg-type]
        )  # fmt: skip
    except (ValidationError, ValueError):
        return await _settings_page(request, ctx, session, 400, error="error.notifications")
    await ctx.merchants.set_notifications(actor(session), settings)
    return await _settings_page(request, ctx, session, notice="settings.saved")


@router.get("/logos/{merchant_id}/{name}")
async def logo(ctx: ContextDep, merchant_id: str, name: str) -> Response:
    """Public (the status pages show it); content-addressed, so cached for good."""
    digest = name.removesuffix(".png")
    if len(merchant_id) > 64 or len(digest) != 16:
        return Response(status_code=404)
    async with ctx.pool.acquire() as conn:
        found = await pgm.logo(conn, merchant_id, digest)
    if found is None:
        return Response(status_code=404)
    content_type, body = found
    return Response(body, media_type=content_type, headers={
        "Cache-Control": "public, max-age=31536000, immutable",
        "X-Content-Type-Options": "nosniff",
        "Content-Security-Policy": "default-src 'none'; sandbox",
        "Cross-Origin-Resource-Policy": "cross-origin",
    })  # fmt: skip
