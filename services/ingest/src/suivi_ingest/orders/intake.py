"""Order intake over HTTP: `POST /v1/orders` (merchant API keys) and `POST /v1/webhooks/shopify`.

Both publish `OrderEvent`s to `commerce.orders.v1` keyed `merchant:order_number` and answer 202
only once Kafka acknowledged them; refusals are precise 4xx, Kafka trouble a 503 with
Retry-After. Checks, in order (docs/orders.md):

- /v1/orders: 401 (API key), 415, 413, 400 (JSON), 403 (another merchant), 400 (fields), 503
- /v1/webhooks/shopify: 415, 413, 401 (signature), 400 (headers), 403 (shop), 200 (topic not
  used), 400 (JSON, payload), 503
"""

from __future__ import annotations

import json
import logging
import time
from collections import OrderedDict
from collections.abc import Callable
from datetime import UTC, datetime

from pydantic import ValidationError
from starlette.requests import Request
from starlette.responses import Response

from suivi_infra.http import JSON, error_response
from suivi_infra.merchants import KeyLookup
from suivi_infra.signing import SignatureError
from suivi_ingest.http import (
    Endpoint,
    IngestError,
    parse_object,
    plain_headers,
    publish_durably,
    read_body,
    require_json,
)
from suivi_ingest.orders.keys import MerchantKeys, check_merchant
from suivi_ingest.orders.metrics import OrderMetrics
from suivi_ingest.orders.model import MAX_CLOCK_SKEW, OrderIn, describe, fields_of, order_event
from suivi_ingest.orders.publisher import OrderEventPublisher
from suivi_ingest.orders.shopify.auth import parse_shops, shopify_keys, verify_shopify
from suivi_ingest.orders.shopify.mapping import TOPICS, map_webhook
from suivi_ingest.orders.shopify.values import ShopifyPayloadError
from suivi_ingest.settings import IngestSettings, split_secrets
from suivi_schemas.orders import OrderEvent

API, SHOPIFY = "api", "shopify"
# Shopify deliveries already stored, by (merchant, X-Shopify-Webhook-Id): a retry is answered
# with the same event id without publishing again. Per process and bounded; the deterministic
# event ids make a second publication harmless anyway (consumers deduplicate on them).
RECENT_DELIVERIES = 10_000
_MAX_KEY_LEN = 4096
_MAX_ID_LEN = 256
_BEARER = {"WWW-Authenticate": 'Bearer realm="suivi"'}

log = logging.getLogger("suivi_ingest")


class OrderRefusalError(IngestError):
    """An `IngestError` that can tell the log which fields failed (never their values)."""

    def __init__(self, status: int, error: str, detail: str, *, fields: str = "") -> None:
        super().__init__(status, error, detail)
        self.fields = fields


def _accepted(event_id: str) -> Response:
    body = b'{"event_id":"%s","status":"accepted"}' % event_id.encode()
    return Response(body, status_code=202, media_type=JSON)


class OrderIntake:
    """Serves both routes (`orders/api.py` declares them) from plain Starlette endpoints."""

    def __init__(
        self,
        settings: IngestSettings,
        publisher: OrderEventPublisher,
        metrics: OrderMetrics,
        clock: Callable[[], float] = time.time,
        directory: KeyLookup | None = None,
    ) -> None:
        self._settings = settings
        # The console's keys (merchants.v1); the environment's stay the bootstrap path.
        self._directory = directory
        self._publisher = publisher
        self._metrics = metrics
        self._clock = clock
        self._keys = MerchantKeys.parse(settings.merchant_keys)
        self._shopify_keys = shopify_keys(split_secrets(settings.shopify_secret))
        self._shops = parse_shops(settings.shopify_shops)
        self._recent: OrderedDict[tuple[str, str], str] = OrderedDict()

    async def handle_order(self, request: Request) -> Response:
        return await self._answer(API, self._order, request)

    async def handle_shopify(self, request: Request) -> Response:
        return await self._answer(SHOPIFY, self._shopify, request)

    async def _answer(self, source: str, serve: Endpoint, request: Request) -> Response:
        """`serve`'s answer, or its refusal as an error body; counted by source and status."""
        try:
            response = await serve(request)
        except IngestError as exc:
            self._metrics.requests.labels(source, str(exc.status)).inc()
            fields = f" ({exc.fields})" if isinstance(exc, OrderRefusalError) and exc.fields else ""
            log.info("%s order refused: %s %s%s", source, exc.status, exc.error, fields)
            return error_response(exc.status, exc.error, exc.detail, exc.headers or None)
        self._metrics.requests.labels(source, str(response.status_code)).inc()
        return response

    async def _publish(self, event: OrderEvent, source: str) -> None:
        await publish_durably(
            self._publisher.publish(event, event.key),
            within=self._settings.publish_timeout_seconds,
            retry_after=self._settings.retry_after_seconds,
            failures=self._metrics.publish_failures.labels(source),
            duration=self._metrics.publish_duration,
            what="order",
            source=source,
        )

    # --- POST /v1/orders ------------------------------------------------------------------

    async def _order(self, request: Request) -> Response:
        headers = plain_headers(request.scope)
        merchant_id = self._merchant(headers.get("authorization"))
        require_json(headers)
        body = await read_body(request.receive, headers, self._settings.max_body_bytes)
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
        if not self._keys.configured and self._directory is None:
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
        merchant_id = self._merchant_of(key) if len(key) <= _MAX_KEY_LEN else None
        if merchant_id is None:
            self._metrics.auth_failures.labels(API).inc()
            raise IngestError(401, "invalid_api_key", "the API key is not valid", **_BEARER)
        return merchant_id

    def _merchant_of(self, key: str) -> str | None:
        found = self._directory.merchant_for(key) if self._directory is not None else None
        return found if found is not None else self._keys.merchant_of(key)

    # --- POST /v1/webhooks/shopify --------------------------------------------------------

    async def _shopify(self, request: Request) -> Response:
        headers = plain_headers(request.scope)
        require_json(headers)
        body = await read_body(request.receive, headers, self._settings.max_body_bytes)
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
