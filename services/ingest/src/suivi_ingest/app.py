"""The HTTP side: the FastAPI app of both intakes (webhooks, orders), health and readiness."""

from __future__ import annotations

import logging
import time
import traceback
from collections.abc import Callable

from fastapi import FastAPI, Request, Response
from fastapi.exceptions import RequestValidationError
from prometheus_client import CollectorRegistry
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import Lifespan

from suivi_infra.http import document_400_not_422
from suivi_ingest.http import JSON, ErrorBody, error_response
from suivi_ingest.orders.api import order_routes
from suivi_ingest.orders.intake import OrderIntake
from suivi_ingest.orders.metrics import OrderMetrics
from suivi_ingest.orders.publisher import OrderEventPublisher
from suivi_ingest.settings import IngestSettings
from suivi_ingest.webhooks.api import webhook_route
from suivi_ingest.webhooks.intake import WebhookIntake
from suivi_ingest.webhooks.metrics import IngestMetrics
from suivi_ingest.webhooks.providers import PROVIDERS
from suivi_ingest.webhooks.publisher import RawEventPublisher

log = logging.getLogger("suivi_ingest")


def create_app(
    settings: IngestSettings,
    publisher: RawEventPublisher,
    *,
    registry: CollectorRegistry | None = None,
    lifespan: Lifespan[FastAPI] | None = None,
    clock: Callable[[], float] = time.time,
    orders: OrderEventPublisher | None = None,
) -> FastAPI:
    """Builds the ingest app; every provider's verifier is prepared once, here. With an
    `orders` publisher it also serves order intake (/v1/orders, /v1/webhooks/shopify)."""
    registry = registry if registry is not None else CollectorRegistry()
    intake = WebhookIntake(settings, publisher, IngestMetrics(registry, PROVIDERS), clock)
    app = FastAPI(
        title="Suivi ingest",
        version="1",
        summary="Receives provider webhooks, verifies them and stores them on Kafka.",
        lifespan=lifespan,
        # FastAPI's native OpenTelemetry would record URLs (Shippo's token is in the query
        # string) and exception messages (may quote payloads): off; Prometheus covers metrics.
        telemetry={"tracing": False, "metrics": False, "logs": False, "operation_spans": False},
    )
    # Served by plain Starlette endpoints (see suivi_ingest.http.DocumentedRoute); Shopify's
    # route goes ahead of `/v1/webhooks/{provider}`, which would take it.
    if orders is not None:
        app.router.routes.extend(
            order_routes(OrderIntake(settings, orders, OrderMetrics(registry), clock))
        )
    app.router.routes.append(webhook_route(intake))

    @app.get("/healthz", tags=["operations"], summary="The process is alive")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.get(
        "/readyz",
        tags=["operations"],
        summary="Ready when Kafka answers",
        responses={503: {"model": ErrorBody, "description": "Kafka does not answer."}},
    )
    async def readyz() -> Response:
        if await publisher.ready():
            return Response(b'{"status":"ready"}', media_type=JSON)
        retry = {"Retry-After": str(settings.retry_after_seconds)}
        return error_response(503, "not_ready", "Kafka does not answer", retry)

    # Malformed requests are answered 400 (see below), never FastAPI's 422.
    document_400_not_422(app)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        error = {404: "not_found", 405: "method_not_allowed"}.get(exc.status_code, "http_error")
        return error_response(exc.status_code, error, str(exc.detail), exc.headers)

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> Response:
        # Type and place only: exception messages may quote payloads (personal data).
        where = traceback.extract_tb(exc.__traceback__)[-1] if exc.__traceback__ else None
        place = f"{where.filename}:{where.lineno}" if where else "?"
        log.error("unexpected %s at %s on %s", type(exc).__name__, place, request.url.path)
        return error_response(500, "internal_error", "unexpected error; nothing was accepted")

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, exc: RequestValidationError) -> Response:
        return error_response(400, "invalid_request", str(exc.errors())[:500])

    return app
