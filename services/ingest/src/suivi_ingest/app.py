"""The HTTP side: FastAPI app factory for webhook intake, health and readiness."""

from __future__ import annotations

import logging
import time
import traceback
import uuid
from collections.abc import Callable
from typing import Any, Literal

from fastapi import APIRouter, FastAPI, Path, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.utils import get_openapi
from prometheus_client import CollectorRegistry
from pydantic import BaseModel
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Route
from starlette.types import Lifespan

from suivi_ingest.intake import JSON, WebhookIntake, error_response
from suivi_ingest.metrics import IngestMetrics
from suivi_ingest.order_intake import mount_order_routes
from suivi_ingest.order_publisher import OrderEventPublisher
from suivi_ingest.providers import PROVIDERS
from suivi_ingest.publisher import RawEventPublisher
from suivi_ingest.settings import IngestSettings

WEBHOOK_PATH = "/v1/webhooks/{provider}"
log = logging.getLogger("suivi_ingest")


class Accepted(BaseModel):
    raw_event_id: uuid.UUID
    status: Literal["accepted"] = "accepted"


class ErrorBody(BaseModel):
    error: str
    detail: str


_ERRORS: dict[int | str, dict[str, Any]] = {
    code: {"model": ErrorBody, "description": text}
    for code, text in (
        (400, "Body not UTF-8, malformed JSON, or a JSON value that is not an object."),
        (401, "Missing or invalid signature, or the provider is not configured."),
        (404, "Unknown provider."),
        (
            413,
            "Body larger than the configured limit, or its stored event larger than "
            "Kafka's max.message.bytes even compressed: permanent, do not retry as is.",
        ),
        (415, "Content-Type is not application/json."),
        (503, "Kafka unavailable or too slow: nothing was stored; retry after Retry-After."),
    )
}
_ERRORS[503]["headers"] = {
    "Retry-After": {
        "description": "Seconds to wait before retrying.",
        "schema": {"type": "integer"},
    }
}


def _documented_webhook_route() -> APIRouter:
    """The webhook operation as OpenAPI shows it; requests are served by `WebhookIntake`."""
    router = APIRouter()

    @router.post(
        WEBHOOK_PATH,
        status_code=202,
        response_model=Accepted,
        responses=_ERRORS,
        summary="Receive one provider webhook",
        description="Answers 202 only after the raw event is stored on Kafka (acks=all). "
        "Checks, in order: provider (404), Content-Type (415), size (413), signature (401), "
        "body (400). See docs/webhooks.md for each provider's signature.",
        openapi_extra={
            "requestBody": {
                "required": True,
                "content": {JSON: {"schema": {"type": "object"}}},
            }
        },
        tags=["webhooks"],
    )
    async def receive_webhook(
        provider: str = Path(description="One of: " + ", ".join(sorted(PROVIDERS))),
    ) -> Accepted:  # pragma: no cover - documentation only, never mounted
        raise NotImplementedError

    return router


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
    # A plain Starlette route: FastAPI's per-request dependency resolution measured ~55 µs,
    # as much as the whole verification; the operation is documented by the APIRoute below.
    app.router.routes.insert(0, Route(WEBHOOK_PATH, intake.handle, methods=["POST"]))
    documented = _documented_webhook_route()
    order_routes = (
        mount_order_routes(app, settings, orders, registry, clock, ErrorBody)
        if orders is not None
        else []
    )

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

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = get_openapi(
                title=app.title,
                version=app.version,
                summary=app.summary,
                routes=[*documented.routes, *order_routes, *app.routes],
            )
            for operations in schema["paths"].values():
                for operation in operations.values():
                    # Malformed requests are answered 400 (see below), never FastAPI's 422.
                    operation.get("responses", {}).pop("422", None)
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]

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
