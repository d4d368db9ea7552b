"""Prometheus metrics of the API, on a registry of the caller's (one per app).

Labels stay bounded: `route` is a route template (`/orders/{token}`), never a URL, so no token,
order number or email can become a label value.
"""

from __future__ import annotations

import logging
import traceback

from prometheus_client import CollectorRegistry
from starlette.routing import BaseRoute
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from suivi_infra.metrics import Declare

UNMATCHED = "unmatched"
log = logging.getLogger("suivi_projections.api")
LOOKUP_OUTCOMES = ("found", "not_found", "rate_limited", "invalid")


class ApiMetrics:
    def __init__(self, registry: CollectorRegistry) -> None:
        declare = Declare(registry)
        self.requests = declare.counter(
            "suivi_projections_api_requests",
            "HTTP requests answered, by route template and status code.",
            ("route", "code"),
        )
        self.lookups = declare.counter(
            "suivi_projections_api_lookups",
            "Shopper order lookups, by outcome (found, not_found, rate_limited, invalid).",
            ("outcome",),
        )
        self.rate_limited = declare.counter(
            "suivi_projections_api_rate_limited",
            "Lookups refused by a rate limit, by limit (ip, order_email, order).",
            ("limit",),
        )
        self.merchant_auth_failures = declare.counter(
            "suivi_projections_api_merchant_auth_failures",
            "Merchant API requests refused for a missing or unknown key.",
        )
        self.sse_subscribers = declare.gauge(
            "suivi_projections_api_sse_subscribers",
            "Open Server-Sent Events streams.",
        )
        self.listener_up = declare.gauge(
            "suivi_projections_api_listener_connected",
            "1 while the LISTEN connection for live updates is established.",
        )
        for outcome in LOOKUP_OUTCOMES:
            self.lookups.labels(outcome)
        for limit in ("ip", "order_email", "order"):
            self.rate_limited.labels(limit)


class RequestMetrics:
    """ASGI middleware counting answered requests by route template and status code, and
    containing unexpected errors: logged by type and place only (messages and tracebacks may
    quote personal data, URLs hold tokens), answered 500, never re-raised to the server.

    Pure ASGI (not BaseHTTPMiddleware), so Server-Sent Events streams pass through untouched;
    a stream is counted when its response starts.
    """

    def __init__(self, app: ASGIApp, metrics: ApiMetrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        counted = False

        async def counting_send(message: Message) -> None:
            nonlocal counted
            if message["type"] == "http.response.start" and not counted:
                counted = True
                self._count(scope, int(message["status"]))
            await send(message)

        try:
            await self.app(scope, receive, counting_send)
        except Exception as exc:
            where = traceback.extract_tb(exc.__traceback__)[-1] if exc.__traceback__ else None
            place = f"{where.filename}:{where.lineno}" if where else "?"
            log.error("unexpected %s at %s on %s", type(exc).__name__, place, _template(scope))
            if counted:  # the response had started: all we can do is end it
                return
            body = b'{"error":"internal_error","detail":"unexpected error"}'
            headers = [(b"content-type", b"application/json"), (b"cache-control", b"no-store")]
            await counting_send({"type": "http.response.start", "status": 500, "headers": headers})
            await send({"type": "http.response.body", "body": body})

    def _count(self, scope: Scope, status: int) -> None:
        self.metrics.requests.labels(_template(scope), str(status)).inc()


def _template(scope: Scope) -> str:
    route = scope.get("route")
    path = getattr(route, "path", None) if isinstance(route, BaseRoute) else None
    return path if isinstance(path, str) else UNMATCHED
