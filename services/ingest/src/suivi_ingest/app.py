"""The HTTP side: the FastAPI app of both intakes (webhooks, orders), health and readiness."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from fastapi import FastAPI
from prometheus_client import CollectorRegistry
from starlette.types import Lifespan

from suivi_infra.http import document_400_not_422, install_error_handlers, offline_api, ops_router
from suivi_infra.merchants import KeyLookup
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
    directory: KeyLookup | None = None,
) -> FastAPI:
    """Builds the ingest app; every provider's verifier is prepared once, here. With an
    `orders` publisher it also serves order intake (/v1/orders, /v1/webhooks/shopify)."""
    registry = registry if registry is not None else CollectorRegistry()
    intake = WebhookIntake(settings, publisher, IngestMetrics(registry, PROVIDERS), clock)
    app = offline_api(
        title="Suivi ingest",
        version="1",
        summary="Receives provider webhooks, verifies them and stores them on Kafka.",
        lifespan=lifespan,
        # FastAPI's native OpenTelemetry would record URLs (Shippo's token is in the query
        # string) and exception messages (may quote payloads): off; Prometheus covers metrics.
        telemetry={"tracing": False, "metrics": False, "logs": False, "operation_spans": False},
    )
    # Served by plain Starlette endpoints (see suivi_ingest.http.DocumentedRoute), first in
    # line: each request is matched against the routes in turn, the docs' ones are rarely asked
    # for. Webhooks first, the busiest; `/v1/webhooks/{provider}` leaves Shopify's path to the
    # order intake's route when there is one.
    webhooks = webhook_route(intake)
    intakes = [webhooks]
    if orders is not None:
        orders_intake = OrderIntake(settings, orders, OrderMetrics(registry), clock, directory)
        intakes += order_routes(orders_intake)
        webhooks.leaves = frozenset(route.path for route in intakes[1:])
    app.router.routes[:0] = intakes

    app.include_router(
        ops_router(
            publisher.ready,
            not_ready="Kafka does not answer",
            ready_summary="Ready when Kafka answers",
            retry_after=settings.retry_after_seconds,
        )
    )
    # Malformed requests are answered 400 (install_error_handlers), never FastAPI's 422.
    document_400_not_422(app)
    install_error_handlers(app, log, unexpected="unexpected error; nothing was accepted")
    return app
