"""Order intake over HTTP: `POST /v1/orders` (merchant API keys) and `POST /v1/webhooks/shopify`.

Both publish `OrderEvent`s to `commerce.orders.v1` keyed `merchant:order_number` and answer 202
only once Kafka acknowledged them; refusals are precise 4xx, Kafka trouble a 503 with
Retry-After. Checks, in order (docs/orders.md):

- /v1/orders: 401 (API key), 415, 413, 400 (JSON), 403 (another merchant), 400 (fields), 503
- /v1/webhooks/shopify: 415, 413, 401 (signature), 400 (headers), 403 (shop), 200 (topic not
  used), 400 (JSON, payload), 503
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
import uuid
from collections import OrderedDict
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, FastAPI, Header
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from prometheus_client import CollectorRegistry, Counter, Histogram
from pydantic import BaseModel, ValidationError
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from suivi_ingest.intake import (
    JSON,
    IngestError,
    error_response,
    event_too_large,
    is_json,
    parse_object,
    read_body,
)
from suivi_ingest.order_publisher import OrderEventPublisher
from suivi_ingest.orders import (
    MAX_CLOCK_SKEW,
    MerchantKeys,
    OrderIn,
    check_merchant,
    describe,
    fields_of,
    order_event,
)
from suivi_ingest.publisher import EventTooLargeError
from suivi_ingest.settings import IngestSettings, split_secrets
from suivi_ingest.shopify import (
    TOPICS,
    ShopifyPayloadError,
    map_webhook,
    parse_shops,
    shopify_keys,
    verify_shopify,
)
from suivi_ingest.signatures import SignatureError
from suivi_schemas.orders import OrderEvent

ORDERS_PATH = "/v1/orders"
SHOPIFY_PATH = "/v1/webhooks/shopify"
API, SHOPIFY = "api", "shopify"
# Shopify deliveries already stored, by (merchant, X-Shopify-Webhook-Id): a retry is answered
# with the same event id without publishing again. Per process and bounded; the deterministic
# event ids make a second publication harmless anyway (consumers deduplicate on them).
RECENT_DELIVERIES = 10_000
_MAX_KEY_LEN = 4096
_MAX_ID_LEN = 256
_PUBLISH_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
_BEARER = {"WWW-Authenticate": 'Bearer realm="suivi"'}

log = logging.getLogger("suivi_ingest")


class OrderRefusalError(IngestError):
    """An `IngestError` that can tell the log which fields failed (never their values)."""

    def __init__(self, status: int, error: str, detail: str, *, fields: str = "") -> None:
        super().__init__(status, error, detail)
        self.fields = fields


class OrderMetrics:
    """Labels stay bounded: source is api|shopify, topic a known Shopify topic or 'other'."""

    def __init__(self, registry: CollectorRegistry) -> None:
        self.requests = Counter(
            "suivi_ingest_order_requests",
            "Order API and Shopify webhook requests answered, by source and HTTP status code.",
            ("source", "code"),
            registry=registry,
        )
        self.auth_failures = Counter(
            "suivi_ingest_order_auth_failures",
            "Order requests refused for a missing or wrong API key or Shopify signature.",
            ("source",),
            registry=registry,
        )
        self.publish_failures = Counter(
            "suivi_ingest_order_publish_failures",
            "Valid order events that could not be stored on Kafka (answered 503).",
            ("source",),
            registry=registry,
        )
        self.publish_duration = Histogram(
            "suivi_ingest_order_publish_duration_seconds",
            "Time from publish to Kafka acknowledgement of order events (acks=all).",
            buckets=_PUBLISH_BUCKETS,
            registry=registry,
        )
        self.shopify_webhooks = Counter(
            "suivi_ingest_shopify_webhooks",
            "Verified Shopify webhooks by topic and outcome (published, duplicate, ignored).",
            ("topic", "outcome"),
            registry=registry,
        )

    def shopify(self, topic: str, outcome: str) -> None:
        self.shopify_webhooks.labels(topic if topic in TOPICS else "other", outcome).inc()


def _headers(request: Request) -> dict[str, str]:
    headers: dict[str, str] = {}
    for name, value in request.scope["headers"]:
        headers.setdefault(name.decode("latin-1"), value.decode("latin-1"))
    return headers


def _accepted(event_id: str) -> Response:
    body = b'{"event_id":"%s","status":"accepted"}' % event_id.encode()
    return Response(body, status_code=202, media_type=JSON)


def _require_json(headers: Mapping[str, str]) -> None:
    if not is_json(headers.get("content-type")):
        raise IngestError(
            415, "unsupported_media_type", "Content-Type must be application/json (UTF-8)"
        )


class OrderIntake:
    def __init__(
        self,
        settings: IngestSettings,
        publisher: OrderEventPublisher,
        metrics: OrderMetrics,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._settings = settings
        self._publisher = publisher
        self._metrics = metrics
        self._clock = clock
        self._keys = MerchantKeys.parse(settings.merchant_keys)
        self._shopify_keys = shopify_keys(split_secrets(settings.shopify_secret))
        self._shops = parse_shops(settings.shopify_shops)
        self._recent: OrderedDict[tuple[str, str], str] = OrderedDict()
        self._retry_after = {"Retry-After": str(settings.retry_after_seconds)}

    async def handle_order(self, request: Request) -> Response:
        try:
            response = await self._order(request)
        except IngestError as exc:
            return self._refused(API, exc)
        self._metrics.requests.labels(API, str(response.status_code)).inc()
        return response

    async def handle_shopify(self, request: Request) -> Response:
        try:
            response = await self._shopify(request)
        except IngestError as exc:
            return self._refused(SHOPIFY, exc)
        self._metrics.requests.labels(SHOPIFY, str(response.status_code)).inc()
        return response

    def _refused(self, source: str, exc: IngestError) -> Response:
        self._metrics.requests.labels(source, str(exc.status)).inc()
        fields = f" ({exc.fields})" if isinstance(exc, OrderRefusalError) and exc.fields else ""
        log.info("%s order refused: %s %s%s", source, exc.status, exc.error, fields)
        return error_response(exc.status, exc.error, exc.detail, exc.headers or None)

    # --- POST /v1/orders ------------------------------------------------------------------

    async def _order(self, request: Request) -> Response:
        headers = _headers(request)
        merchant_id = self._merchant(headers.get("authorization"))
        _require_json(headers)
        body = await read_body(request, headers, self._settings.max_body_bytes)
        _, payload = parse_object(body)
        mismatch = check_merchant(payload, merchant_id)
        if mismatch is not None:
            raise IngestError(403, "merchant_mismatch", mismatch)
        try:
            order = OrderIn.model_validate(payload)
        except ValidationError as exc:
            raise OrderRefusalError(
                400, "invalid_order", describe(exc), fields=fields_of(exc)
            ) from None
        now = datetime.fromtimestamp(self._clock(), UTC)
        if order.updated_at is not None and order.updated_at > now + MAX_CLOCK_SKEW:
            raise OrderRefusalError(
                400,
                "invalid_order",
                f"updated_at: is more than {MAX_CLOCK_SKEW.seconds} s ahead of the receiver's "
                "clock (a future version would hide the next updates)",
                fields="updated_at",
            )
        event = order_event(order, merchant_id, now)
        await self._publish(event, API)
        return _accepted(str(event.event_id))

    def _merchant(self, authorization: str | None) -> str:
        if not self._keys.configured:
            raise IngestError(
                401,
                "orders_not_configured",
                "no merchant API key is configured (SUIVI_INGEST_MERCHANT_KEYS): "
                "nothing is accepted",
            )
        if authorization is None or not authorization.strip():
            self._metrics.auth_failures.labels(API).inc()
            raise IngestError(
                401, "missing_api_key", "missing 'Authorization: Bearer <API key>'", **_BEARER
            )
        scheme, _, key = authorization.strip().partition(" ")
        key = key.strip()
        if scheme.lower() != "bearer" or not key:
            self._metrics.auth_failures.labels(API).inc()
            raise IngestError(
                401,
                "invalid_authorization",
                "the Authorization header must be 'Bearer <API key>'",
                **_BEARER,
            )
        merchant_id = self._keys.merchant_of(key) if len(key) <= _MAX_KEY_LEN else None
        if merchant_id is None:
            self._metrics.auth_failures.labels(API).inc()
            raise IngestError(401, "invalid_api_key", "the API key is not valid", **_BEARER)
        return merchant_id

    # --- POST /v1/webhooks/shopify --------------------------------------------------------

    async def _shopify(self, request: Request) -> Response:
        headers = _headers(request)
        _require_json(headers)
        body = await read_body(request, headers, self._settings.max_body_bytes)
        self._verify(body, headers.get("x-shopify-hmac-sha256"))
        topic = headers.get("x-shopify-topic", "").strip()
        if not topic:
            raise IngestError(400, "missing_topic", "missing X-Shopify-Topic header")
        shop = headers.get("x-shopify-shop-domain", "").strip().lower()
        if not shop:
            raise IngestError(400, "missing_shop", "missing X-Shopify-Shop-Domain header")
        merchant_id = self._shops.get(shop)
        if merchant_id is None:
            raise IngestError(
                403,
                "unknown_shop",
                f"shop {shop[:255]!r} is not mapped to a merchant (SUIVI_INGEST_SHOPIFY_SHOPS)",
            )
        if topic not in TOPICS:
            self._metrics.shopify(topic, "ignored")
            log.info("shopify webhook of an unused topic ignored (%s)", merchant_id)
            ignored = {"status": "ignored", "detail": f"topic {topic[:64]!r} is not used by Suivi"}
            return Response(json.dumps(ignored).encode(), status_code=200, media_type=JSON)
        _, payload = parse_object(body)
        delivery_id = headers.get("x-shopify-webhook-id", "").strip() or None
        if delivery_id is not None and len(delivery_id) > _MAX_ID_LEN:
            delivery_id = None
        if delivery_id is not None:
            known = self._recent.get((merchant_id, delivery_id))
            if known is not None:
                self._metrics.shopify(topic, "duplicate")
                return _accepted(known)
        try:
            event = map_webhook(topic, payload, merchant_id, delivery_id)
        except ShopifyPayloadError as exc:
            field = str(exc).split(":", 1)[0]
            raise OrderRefusalError(400, "invalid_payload", str(exc), fields=field) from None
        await self._publish(event, SHOPIFY)
        event_id = str(event.event_id)
        if delivery_id is not None:
            self._remember((merchant_id, delivery_id), event_id)
        self._metrics.shopify(topic, "published")
        return _accepted(event_id)

    def _verify(self, body: bytes, header: str | None) -> None:
        if not self._shopify_keys:
            raise IngestError(
                401,
                "provider_not_configured",
                "shopify is not configured (no SUIVI_INGEST_SHOPIFY_SECRET): nothing is accepted",
            )
        try:
            verify_shopify(body, header, self._shopify_keys)
        except SignatureError as exc:
            self._metrics.auth_failures.labels(SHOPIFY).inc()
            raise IngestError(401, "invalid_signature", str(exc)) from None

    def _remember(self, delivery: tuple[str, str], event_id: str) -> None:
        self._recent[delivery] = event_id
        self._recent.move_to_end(delivery)
        while len(self._recent) > RECENT_DELIVERIES:
            self._recent.popitem(last=False)

    # --- Kafka ------------------------------------------------------------------------------

    async def _publish(self, event: OrderEvent, source: str) -> None:
        timeout = self._settings.publish_timeout_seconds
        started = time.perf_counter()
        try:
            async with asyncio.timeout(timeout):
                await self._publisher.publish(event, event.key)
        except TimeoutError:
            self._metrics.publish_failures.labels(source).inc()
            raise IngestError(
                503,
                "publish_timeout",
                f"Kafka did not acknowledge within {timeout:g} s; nothing accepted, retry later",
                **self._retry_after,
            ) from None
        except EventTooLargeError as exc:
            raise event_too_large(exc) from None
        except Exception as exc:  # whatever the broker or client says: not durable, so 503
            self._metrics.publish_failures.labels(source).inc()
            log.warning("order publish failed (%s): %s", source, type(exc).__name__)
            raise IngestError(
                503,
                "kafka_unavailable",
                "the order could not be stored; nothing was accepted, retry later",
                **self._retry_after,
            ) from None
        self._metrics.publish_duration.observe(time.perf_counter() - started)


# --- OpenAPI ------------------------------------------------------------------------------------


class OrderAccepted(BaseModel):
    event_id: uuid.UUID
    status: Literal["accepted"] = "accepted"


class ShopifyIgnored(BaseModel):
    status: Literal["ignored"] = "ignored"
    detail: str


_bearer = HTTPBearer(
    auto_error=False, description="A merchant API key (SUIVI_INGEST_MERCHANT_KEYS)."
)


def _responses(error_model: type[BaseModel], **texts: str) -> dict[int | str, dict[str, Any]]:
    responses: dict[int | str, dict[str, Any]] = {
        int(code.removeprefix("e")): {"model": error_model, "description": text}
        for code, text in texts.items()
    }
    responses[503] = {
        "model": error_model,
        "description": "Kafka unavailable or too slow: nothing was stored; retry after "
        "Retry-After.",
        "headers": {
            "Retry-After": {
                "description": "Seconds to wait before retrying.",
                "schema": {"type": "integer"},
            }
        },
    }
    return responses


def documented_routes(error_model: type[BaseModel]) -> list[BaseRoute]:
    """The two operations as OpenAPI shows them; requests are served by `OrderIntake`."""
    router = APIRouter()

    @router.post(
        ORDERS_PATH,
        status_code=202,
        response_model=OrderAccepted,
        responses=_responses(
            error_model,
            e400="Malformed JSON, or a field is invalid (the detail names it).",
            e401="Missing or invalid API key, or no key configured.",
            e403="The body names another merchant than the API key's.",
            e413="Body larger than the configured limit.",
            e415="Content-Type is not application/json.",
        ),
        summary="Create or update an order (full snapshot)",
        description="The body is the whole order as of `updated_at`: an update (a new parcel, a "
        "cancelled one) is sent as the full new snapshot, and the newest `updated_at` wins. "
        "The event id is a UUIDv5 of merchant, order number and updated_at, so a retry is the "
        "same event. Answers 202 only after Kafka stored it. See docs/orders.md.",
        tags=["orders"],
    )
    async def post_order(
        order: OrderIn,
        credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)] = None,
    ) -> OrderAccepted:  # pragma: no cover - documentation only, never mounted
        raise NotImplementedError

    @router.post(
        SHOPIFY_PATH,
        status_code=202,
        response_model=OrderAccepted,
        responses={
            200: {"model": ShopifyIgnored, "description": "A topic Suivi does not use."},
            **_responses(
                error_model,
                e400="Missing Shopify header, malformed JSON, or no order name in the payload.",
                e401="Missing or invalid X-Shopify-Hmac-SHA256, or no secret configured.",
                e403="The shop is not mapped to a merchant.",
                e413="Body larger than the configured limit.",
                e415="Content-Type is not application/json.",
            ),
        },
        summary="Receive one Shopify webhook (orders/*, fulfillments/*)",
        description="Verified with the app's client secret; orders/create, orders/updated, "
        "orders/cancelled, orders/fulfilled, orders/partially_fulfilled and orders/paid give a "
        "full order snapshot, fulfillments/create and fulfillments/update a fulfilment event. "
        "See docs/orders.md.",
        openapi_extra={
            "requestBody": {"required": True, "content": {JSON: {"schema": {"type": "object"}}}}
        },
        tags=["webhooks"],
    )
    async def shopify_webhook(
        x_shopify_topic: Annotated[str, Header(description="e.g. orders/create")],
        x_shopify_shop_domain: Annotated[str, Header(description="e.g. my-shop.myshopify.com")],
        x_shopify_hmac_sha256: Annotated[str, Header(description="base64 HMAC-SHA256")],
        x_shopify_webhook_id: Annotated[str | None, Header(description="delivery id")] = None,
    ) -> OrderAccepted:  # pragma: no cover - documentation only, never mounted
        raise NotImplementedError

    return list(router.routes)


def mount_order_routes(
    app: FastAPI,
    settings: IngestSettings,
    publisher: OrderEventPublisher,
    registry: CollectorRegistry,
    clock: Callable[[], float],
    error_model: type[BaseModel],
) -> list[BaseRoute]:
    """Serves both routes (ahead of `/v1/webhooks/{provider}`); returns their documentation."""
    intake = OrderIntake(settings, publisher, OrderMetrics(registry), clock)
    app.router.routes.insert(0, Route(ORDERS_PATH, intake.handle_order, methods=["POST"]))
    app.router.routes.insert(0, Route(SHOPIFY_PATH, intake.handle_shopify, methods=["POST"]))
    return documented_routes(error_model)
