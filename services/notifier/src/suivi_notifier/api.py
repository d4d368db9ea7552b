"""The notifier's HTTP side (port 8082): web push registration for the status page, the
unsubscribe page behind List-Unsubscribe, and /healthz /readyz /metrics.

Orders are found by a token only (sha256 looked up): the status page's private token for push
registration, the notifier's own unsubscribe token for the unsubscribe link. Answers never echo
a submitted value back.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any, Literal
from urllib.parse import urlsplit

from cryptography.hazmat.primitives.asymmetric import ec
from fastapi import APIRouter, FastAPI, Query, Response
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import HTMLResponse, JSONResponse, PlainTextResponse
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest
from pydantic import BaseModel, ConfigDict, Field
from starlette.types import Lifespan

from suivi_infra.http import (
    StrictJSONRoute,
    document_400_not_422,
    documented,
    error_response,
    install_error_handlers,
    offline_api,
    ops_router,
)
from suivi_notifier.adapters.pg_subscriptions import Added, SubscriptionStore
from suivi_notifier.adapters.render import Renderer
from suivi_notifier.adapters.vapid import Vapid, b64url_decode
from suivi_notifier.deps import ApiContext, ContextDep, NowDep, StoreDep
from suivi_notifier.settings import NotifierSettings, PushSettings

log = logging.getLogger("suivi_notifier.api")
Token = Field(min_length=16, max_length=128, pattern=r"^[A-Za-z0-9_-]+$")


class PushKeys(BaseModel):
    model_config = ConfigDict(extra="ignore")
    p256dh: str = Field(max_length=200, description="Subscription's P-256 key (base64url).")
    auth: str = Field(max_length=100, description="Subscription's 16-byte secret (base64url).")


class PushSubscription(BaseModel):
    """The browser's PushSubscription.toJSON()."""

    model_config = ConfigDict(extra="ignore")
    endpoint: str = Field(max_length=2048)
    keys: PushKeys
    expirationTime: int | None = None  # noqa: N815 - the browser's name


class SubscribeRequest(BaseModel):
    token: str = Token
    subscription: PushSubscription


class UnsubscribeRequest(BaseModel):
    token: str = Token
    endpoint: str = Field(max_length=2048)


_INVALID = "Invalid request: a field or parameter is missing or wrong (the detail says which)."
_PAGE: dict[str, Any] = {"content": {"text/html": {}}}
# On an HTML route `model=` would document the JSON error body as text/html: spelled out.
_JSON_400: dict[str, Any] = {
    "description": _INVALID,
    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorBody"}}},
}


def host_allowed(host: str, allowed: list[str]) -> bool:
    host = host.lower().rstrip(".")
    return not allowed or any(
        host.endswith(a.lower()) if a.startswith(".") else host == a.lower() for a in allowed
    )


def subscription_problem(sub: PushSubscription, settings: PushSettings) -> str | None:
    parts = urlsplit(sub.endpoint)
    schemes = ("https", "http") if settings.allow_insecure_endpoints else ("https",)
    if parts.scheme not in schemes or not parts.hostname:
        return "endpoint must be an https URL"
    if not host_allowed(parts.hostname, settings.endpoint_hosts):
        return "endpoint is not a known push service"
    try:
        point = b64url_decode(sub.keys.p256dh)
        ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), point)
        if len(point) != 65:
            return "keys.p256dh must be an uncompressed P-256 point"
        if len(b64url_decode(sub.keys.auth)) != 16:
            return "keys.auth must be 16 bytes"
    except ValueError:
        return "keys must be base64url: p256dh a P-256 point, auth 16 bytes"
    return None


router = APIRouter(route_class=StrictJSONRoute)  # RFC 8259 bodies only


def _page(html: str, status: int = 200) -> HTMLResponse:
    headers = {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"}
    return HTMLResponse(html, status_code=status, headers=headers)


@router.get(
    "/v1/push/vapid-public-key",
    tags=["push"],
    responses=documented({503: "Web push is not configured."}),
)
async def vapid_public_key(context: ContextDep) -> Response:
    if context.vapid is None:
        return error_response(503, "push_disabled", "web push is not configured")
    return JSONResponse(
        {"public_key": context.vapid.public_key},
        headers={"Cache-Control": "public, max-age=3600"},
    )


@router.post(
    "/v1/push-subscriptions",
    status_code=201,
    tags=["push"],
    responses={
        200: {"description": "Already subscribed."},
        **documented(
            {
                400: _INVALID + " Or the subscription is not a usable push endpoint and keys.",
                404: "No order for this token (yet).",
                409: "The order has as many subscriptions as allowed.",
                503: "Web push is not configured.",
            }
        ),
    },
)
async def subscribe(
    body: SubscribeRequest, context: ContextDep, store: StoreDep, now: NowDep
) -> Response:
    if context.vapid is None:
        return error_response(503, "push_disabled", "web push is not configured")
    push = context.settings.push
    problem = subscription_problem(body.subscription, push)
    if problem is not None:
        return error_response(400, "invalid_subscription", problem)
    order = await store.order_by_status_token(body.token)
    if order is None:
        return error_response(404, "not_found", "no order for this token (yet)")
    sub = body.subscription
    added = await store.add_push(
        order, sub.endpoint, sub.keys.p256dh, sub.keys.auth, now, push.max_subscriptions_per_order
    )
    if added is Added.TOO_MANY:
        return error_response(409, "too_many_subscriptions", "this order has enough subscriptions")
    status = 201 if added is Added.CREATED else 200
    return JSONResponse({"status": "subscribed"}, status_code=status)


@router.delete(
    "/v1/push-subscriptions",
    status_code=204,
    tags=["push"],
    responses=documented({400: _INVALID, 404: "No order for this token."}),
)
async def unsubscribe_push(body: UnsubscribeRequest, store: StoreDep) -> Response:
    order = await store.order_by_status_token(body.token)
    if order is None:
        return error_response(404, "not_found", "no order for this token")
    await store.remove_push(order, body.endpoint)
    return Response(status_code=204)


# The unsubscribe link's page (GET) and its form (POST) are documented alike.
_UNSUBSCRIBE: dict[str, Any] = {
    "response_class": HTMLResponse,
    "tags": ["unsubscribe"],
    "responses": {
        400: _JSON_400,
        404: {"description": "Unknown link: a page saying so.", **_PAGE},
    },
}


@router.get("/v1/unsubscribe/{token}", **_UNSUBSCRIBE)
async def unsubscribe_page(
    token: str, context: ContextDep, channel: Literal["email", "sms"] = Query("email")
) -> Response:
    # GET never unsubscribes: link scanners follow links. The page posts the form.
    renderer = context.renderer
    order = await context.store.order_by_unsubscribe_token(token)
    if order is None:
        return _page(renderer.unsubscribe_page("en", channel, action="", done=False), 404)
    action = f"/v1/unsubscribe/{token}?channel={channel}"
    return _page(renderer.unsubscribe_page(order.locale, channel, action=action, done=False))


@router.post("/v1/unsubscribe/{token}", **_UNSUBSCRIBE)
async def unsubscribe(
    token: str,
    context: ContextDep,
    now: NowDep,
    channel: Literal["email", "sms"] = Query("email"),
) -> Response:
    """RFC 8058 one-click (body `List-Unsubscribe=One-Click`) and the page's form."""
    renderer = context.renderer
    order = await context.store.order_by_unsubscribe_token(token)
    if order is None:
        return _page(renderer.unsubscribe_page("en", channel, action="", done=False), 404)
    await context.store.unsubscribe(order, channel, now)
    log.info("unsubscribed an order of %s from %s", order.merchant_id, channel)
    return _page(renderer.unsubscribe_page(order.locale, channel, action="", done=True))


def create_api(
    settings: NotifierSettings,
    store: SubscriptionStore,
    *,
    vapid: Vapid | None,
    registry: CollectorRegistry,
    kafka_ready: Callable[[], Awaitable[bool]],
    renderer: Renderer | None = None,
    lifespan: Lifespan[FastAPI] | None = None,
    clock: Callable[[], datetime] = lambda: datetime.now(UTC),
) -> FastAPI:
    """The app, given everything it serves with (the routes read it through `deps`)."""
    app = offline_api(
        title="Suivi notifier",
        version="1",
        summary="Web push registration, unsubscribe links, health and metrics.",
        lifespan=lifespan,
    )
    app.state.context = ApiContext(settings, store, vapid, renderer or Renderer(clock), clock)
    app.router.route_class = StrictJSONRoute  # before the routes: RFC 8259 bodies only
    document_400_not_422(app)
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_methods=["GET", "POST", "DELETE"],
            allow_headers=["Content-Type"],
        )

    async def ready() -> bool:
        return await store.ping() and await kafka_ready()

    app.include_router(ops_router(ready, not_ready="PostgreSQL or Kafka does not answer"))
    install_error_handlers(app, log)

    @app.get("/metrics", tags=["operations"], response_class=PlainTextResponse)
    async def metrics() -> Response:
        return Response(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)

    app.include_router(router)
    return app
