"""The query side's HTTP app: shopper lookup and status pages, live updates, merchant API."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable

from fastapi import FastAPI, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse
from prometheus_client import CollectorRegistry
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import Lifespan

from suivi_infra.http import ErrorBody, answer_unavailable, document_400_not_422, offline_api
from suivi_infra.merchants import KeyLookup
from suivi_projections.query.analytics import AnalyticsSource
from suivi_projections.query.live import LiveHub
from suivi_projections.query.views import ReadModel
from suivi_projections.web.analytics import router as analytics_router
from suivi_projections.web.context import ApiContext, Backends, install, lookup_limiter
from suivi_projections.web.dashboard.routes import router as dashboard_router
from suivi_projections.web.lookup import router as lookup_router
from suivi_projections.web.merchant import router as merchant_router
from suivi_projections.web.metrics import ApiMetrics, RequestMetrics
from suivi_projections.web.pages.language import RememberLanguage
from suivi_projections.web.ratelimit import Counters
from suivi_projections.web.responses import error_response
from suivi_projections.web.settings import ApiSettings
from suivi_projections.web.shopper import router as shopper_router
from suivi_projections.web.shops import Shops

Probe = Callable[[], Awaitable[bool]]


async def _always_ready() -> bool:
    return True


def create_api(
    settings: ApiSettings,
    read_model: ReadModel | None,
    live_updates: LiveHub,
    registry: CollectorRegistry | None = None,
    *,
    ready: Probe = _always_ready,
    lifespan: Lifespan[FastAPI] | None = None,
    clock: Callable[[], float] = time.time,
    analytics: AnalyticsSource | None = None,
    counters: Counters | None = None,
    directory: KeyLookup | None = None,
    shops: Shops | None = None,
) -> FastAPI:
    """Builds the app. `read_model` (with `analytics`, `counters`) is installed at once; None
    when the composition root installs PostgreSQL's in the lifespan (`context.install`).
    `ready` answers /readyz (the composition root passes a PostgreSQL probe); `live_updates`
    is fed by `PostgresOrderListener` in production, by tests directly. Without `analytics`
    the merchant analytics routes answer 503. `counters`: the lookup limits'
    store (the composition root passes PostgreSQL's; in memory by default). `clock`: epoch
    seconds, as the limits' windows are shared between processes."""
    registry = registry if registry is not None else CollectorRegistry()
    metrics = ApiMetrics(registry)
    # Read at each scrape of the separate metrics port (web.bootstrap).
    metrics.listener_up.set_function(lambda: 1 if live_updates.connected else 0)
    app = offline_api(
        title="Suivi order status",
        version="1",
        summary="Order status pages for shoppers, live updates, and the merchant read API.",
        description="Shoppers find their order with its number and email address "
        "(`POST /v1/order-lookup`) and follow it on a private page; they may share a page "
        "without personal data. Merchants read their orders and shipments with a Bearer key.",
        lifespan=lifespan,
        # URLs hold status tokens: no FastAPI telemetry recording them; Prometheus covers it.
        telemetry={"tracing": False, "metrics": False, "logs": False, "operation_spans": False},
        openapi_tags=[
            {"name": "shopper", "description": "Lookup, status pages and live updates."},
            {"name": "merchant", "description": "Bearer-authenticated read API, per merchant."},
            {"name": "operations", "description": "Health and readiness (metrics: own port)."},
        ],
    )
    app.state.context = ApiContext.build(settings, live_updates, metrics, directory, shops)
    if read_model is not None:
        limits = lookup_limiter(settings, counters, clock)
        install(app, Backends(read_model, limits, analytics))
    app.add_middleware(RequestMetrics, metrics=metrics)
    app.add_middleware(RememberLanguage)  # the pages' language picker, remembered
    app.include_router(lookup_router)
    app.include_router(shopper_router)
    app.include_router(merchant_router)
    app.include_router(analytics_router)
    app.include_router(dashboard_router)

    @app.get("/", include_in_schema=False)
    async def home() -> Response:
        return RedirectResponse("/lookup", status_code=303)

    @app.get("/healthz", tags=["operations"], summary="The process is alive")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.get(
        "/readyz",
        tags=["operations"],
        summary="Ready when PostgreSQL answers",
        responses={503: {"model": ErrorBody, "description": "PostgreSQL does not answer."}},
    )
    async def readyz() -> Response:
        if await ready():
            return JSONResponse({"status": "ready", "live_updates": live_updates.connected})
        return error_response(503, "not_ready", "PostgreSQL does not answer", {"Retry-After": "5"})

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        error = {404: "not_found", 405: "method_not_allowed", 401: "unauthorized"}.get(
            exc.status_code, "http_error"
        )
        return error_response(exc.status_code, error, str(exc.detail), exc.headers)

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, exc: RequestValidationError) -> Response:
        # Where and what kind only, never the input: it may be an email address.
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e.get('loc', ()))}: {e.get('type', 'invalid')}"
            for e in exc.errors()
        )
        return error_response(400, "invalid_request", problems[:500])

    # PostgreSQL gone mid-request (a lookup form, a page): 503 with Retry-After, not a 500.
    answer_unavailable(app, detail="PostgreSQL does not answer; retry later")
    document_400_not_422(app)  # answered 400 by `invalid_request`
    return app
