"""Shopper lookup: order number + email → the private status page, and the form that asks.

An unknown order and a wrong email get the same answer (status, body, and the same work: the
email is always compared in constant time, against a dummy when the order is unknown), so the
lookup cannot be used to learn which order numbers exist. Attempts are limited per client
address, per order and email, and in distinct emails per order, whatever the outcome, in
counters every API process shares (`web.ratelimit`).
"""

import hmac
import logging
from typing import Any
from urllib.parse import parse_qsl

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse, RedirectResponse
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from suivi_infra.http import ErrorBody
from suivi_projections.query.views import lookup_keys
from suivi_projections.web.context import ApiContext
from suivi_projections.web.dashboard.routes import remember_form, signin_section
from suivi_projections.web.deps import ContextDep, LimiterDep, ReadModelDep
from suivi_projections.web.pages.i18n import Translator, choose_language
from suivi_projections.web.pages.render import render_lookup
from suivi_projections.web.ratelimit import client_key, retry_after
from suivi_projections.web.responses import error_response, html_response
from suivi_schemas import strict_json

FORM = "application/x-www-form-urlencoded"
MAX_BODY = 4096
NOT_FOUND = "No order matches this order number and email address."
log = logging.getLogger("suivi_projections.lookup")


class LookupRequest(BaseModel):
    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)

    merchant_id: str = Field(min_length=1, max_length=64, description="The shop's id (slug).")
    order_number: str = Field(
        min_length=1,
        max_length=64,
        description="The order number (any case, with or without '#') or a tracking number of "
        "one of its parcels.",
    )
    email: str = Field(min_length=3, max_length=254, description="As given with the order.")


class LookupAnswer(BaseModel):
    status_page: str = Field(description="Path of the private status page: /orders/<token>.")


_OR_FORM: dict[str, Any] = {"content": {"text/html": {}}}
_RESPONSES: dict[int | str, dict[str, Any]] = {
    303: {"description": "Form posts: redirect to the status page."},
    # Form posts get the form again (HTML) with the same status; JSON posts an ErrorBody.
    400: {"model": ErrorBody, "description": "Missing or malformed fields.", **_OR_FORM},
    404: {
        "model": ErrorBody,
        "description": "Unknown order OR wrong email (same answer).",
        **_OR_FORM,
    },
    413: {"model": ErrorBody, "description": "Body larger than 4 KiB."},
    415: {"model": ErrorBody, "description": "Neither JSON nor an HTML form."},
    429: {
        "model": ErrorBody,
        "description": "Too many attempts from this client, with this email for this order "
        "number, or with different emails for this order number.",
        "headers": {"Retry-After": {"schema": {"type": "integer"}, "description": "Seconds."}},
        **_OR_FORM,
    },
}
_BODY = {
    "required": True,
    "content": {
        "application/json": {"schema": LookupRequest.model_json_schema()},
        FORM: {"schema": LookupRequest.model_json_schema()},
    },
}


def normalize_email(value: str) -> str:
    return value.strip().lower()


async def _read(request: Request) -> bytes | None:
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_BODY:
            return None
        chunks.append(chunk)
    return b"".join(chunks)


router = APIRouter(tags=["shopper"])


def _form_page(
    ctx: ApiContext, t: Translator, raw: dict[str, str], error: str, status: int, **headers: str
) -> Response:
    fixed = raw.get("fixed") == "1"
    merchant = raw.get("merchant_id", "")[:64]
    page = render_lookup(
        t,
        merchant_id=merchant,
        order_number=raw.get("order_number", "")[:64],
        error=error,
        fixed_merchant=fixed,
        shop_name=ctx.shops.name(merchant) if fixed else None,
        shops=() if fixed else ctx.shops.listed(),
    )
    return html_response(page, status, headers)


@router.post(
    "/v1/order-lookup",
    response_model=LookupAnswer,
    responses=_RESPONSES,
    summary="Find an order's status page from its number and the shopper's email",
    description="JSON or an HTML form (then answered with a redirect or the form again). "
    "Never put these fields in the URL. Unknown orders and wrong emails are answered "
    "identically. Limits: per client IP, per order number and email, and distinct emails "
    "per order number.",
    openapi_extra={"requestBody": _BODY},
)
async def lookup(
    ctx: ContextDep, limits: LimiterDep, read_model: ReadModelDep, request: Request
) -> Response:
    metrics = ctx.metrics
    is_form = request.headers.get("content-type", "").split(";")[0].strip().lower() == FORM
    if not is_form and "json" not in request.headers.get("content-type", "").lower():
        return error_response(415, "unsupported_media_type", "send JSON or an HTML form")
    body = await _read(request)
    if body is None:
        return error_response(413, "too_large", f"body larger than {MAX_BODY} bytes")
    raw = _parse(body, is_form)
    language = choose_language(
        override=raw.get("lang"), accept=request.headers.get("accept-language")
    )
    t = Translator(language)
    try:
        query = LookupRequest.model_validate(raw)
    except ValidationError:
        metrics.lookups.labels("invalid").inc()
        if is_form:
            return _form_page(ctx, t, raw, t("lookup.invalid"), 400)
        return error_response(400, "invalid_request", "merchant_id, order_number and email")

    merchant = query.merchant_id.lower()
    email = normalize_email(query.email)
    client = client_key(request.client.host if request.client else None)
    # Counted per what was looked for, however typed ('#a-1', 'A-1' are one order number).
    typed = " ".join(lookup_keys(query.order_number))
    refused = await limits.check(client, merchant, typed.lower(), email)
    if refused is not None:
        metrics.lookups.labels("rate_limited").inc()
        metrics.rate_limited.labels(refused.limit).inc()
        seconds = retry_after(refused.wait)
        if is_form:
            text = t("lookup.rate_limited", seconds=seconds)
            return _form_page(ctx, t, raw, text, 429, **{"Retry-After": seconds})
        return error_response(
            429, "rate_limited", f"too many attempts; retry in {seconds} s",
            {"Retry-After": seconds},
        )  # fmt: skip

    found = await read_model.order_for_lookup(merchant, query.order_number)
    expected = ctx.digest(normalize_email(found[0])) if found else ctx.dummy_email
    matches = hmac.compare_digest(expected, ctx.digest(email))
    if found is None or not matches:
        metrics.lookups.labels("not_found").inc()
        if is_form:
            return _form_page(ctx, t, raw, t("lookup.not_found"), 404)
        return error_response(404, "not_found", NOT_FOUND)

    metrics.lookups.labels("found").inc()
    page = f"/orders/{found[1]}"
    if is_form:
        return RedirectResponse(page, status_code=303, headers={"Cache-Control": "no-store"})
    return JSONResponse({"status_page": page}, headers={"Cache-Control": "no-store"})


@router.get("/lookup", summary="The lookup form with a shop picker (HTML)", response_class=Response)
async def lookup_form(
    ctx: ContextDep, request: Request, merchant: str | None = None, lang: str | None = None
) -> Response:
    if merchant:
        return _shop_form(ctx, request, merchant, lang)
    t = Translator(choose_language(override=lang, accept=request.headers.get("accept-language")))
    return html_response(render_lookup(t, merchant_id="", shops=ctx.shops.listed()))


@router.get("/lookup/{shop}", summary="A shop's lookup form (HTML)", response_class=Response)
async def shop_lookup_form(
    ctx: ContextDep, request: Request, shop: str, lang: str | None = None
) -> Response:
    return _shop_form(ctx, request, shop, lang)


@router.get(
    "/m/{merchant_id}/lookup",
    summary="A shop's lookup form (HTML; older address of /lookup/{shop})",
    response_class=Response,
)
async def merchant_lookup_form(
    ctx: ContextDep, request: Request, merchant_id: str, lang: str | None = None
) -> Response:
    return _shop_form(ctx, request, merchant_id, lang)


def _shop_form(ctx: ApiContext, request: Request, shop: str, lang: str | None) -> Response:
    slug = shop[:64].lower()
    branding = ctx.shops.branding(slug)  # the shop's default language, when it set one
    t = Translator(
        choose_language(
            override=lang,
            accept=request.headers.get("accept-language"),
            shop=branding.language if branding else None,
        )
    )
    signin = signin_section(request, slug)  # the dashboard's sign-in form, when it runs
    page = render_lookup(
        t, merchant_id=slug, fixed_merchant=True, shop_name=ctx.shops.name(slug),
        signin=signin[0] if signin else None,
    )  # fmt: skip
    response = html_response(page)
    if signin is not None:
        remember_form(response, request, signin[1])
    return response


def _parse(body: bytes, is_form: bool) -> dict[str, str]:
    """Field values as strings; anything unparseable yields {} (then a 400)."""
    try:
        text = body.decode("utf-8")
        if is_form:
            return dict(parse_qsl(text, max_num_fields=10))
        data = strict_json.loads(text) if text else {}
    except (UnicodeDecodeError, ValueError):
        return {}
    if not isinstance(data, dict):
        return {}
    return {k: v for k, v in data.items() if isinstance(k, str) and isinstance(v, str)}
