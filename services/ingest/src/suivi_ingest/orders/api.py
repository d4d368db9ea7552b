"""`POST /v1/orders` and `POST /v1/webhooks/shopify`, each declared once: OpenAPI description,
served by `OrderIntake` (orders/intake.py)."""

from __future__ import annotations

import uuid
from typing import Annotated, Any, Literal

from fastapi import Depends, Header
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel

from suivi_infra.http import ErrorBody, documented
from suivi_ingest.http import JSON_OBJECT_BODY, RETRY_AFTER_HEADER, DocumentedRoute, accepted_post
from suivi_ingest.orders.intake import OrderIntake
from suivi_ingest.orders.model import OrderIn

ORDERS_PATH = "/v1/orders"
SHOPIFY_PATH = "/v1/webhooks/shopify"


class OrderAccepted(BaseModel):
    event_id: uuid.UUID
    status: Literal["accepted"] = "accepted"


class ShopifyIgnored(BaseModel):
    status: Literal["ignored"] = "ignored"
    detail: str


_bearer = HTTPBearer(
    auto_error=False, description="A merchant API key (SUIVI_INGEST_MERCHANT_KEYS)."
)


def _responses(**texts: str) -> dict[int | str, dict[str, Any]]:
    responses = documented({int(code.removeprefix("e")): text for code, text in texts.items()})
    responses[503] = {
        "model": ErrorBody,
        "description": "Kafka unavailable or too slow: nothing was stored; retry after "
        "Retry-After.",
        "headers": RETRY_AFTER_HEADER,
    }
    return responses


async def post_order(
    order: OrderIn,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)] = None,
) -> OrderAccepted:  # pragma: no cover - documentation only: OrderIntake.handle_order serves
    raise NotImplementedError


async def shopify_webhook(
    x_shopify_topic: Annotated[str, Header(description="e.g. orders/create")],
    x_shopify_shop_domain: Annotated[str, Header(description="e.g. my-shop.myshopify.com")],
    x_shopify_hmac_sha256: Annotated[str, Header(description="base64 HMAC-SHA256")],
    x_shopify_webhook_id: Annotated[str | None, Header(description="delivery id")] = None,
) -> OrderAccepted:  # pragma: no cover - documentation only: OrderIntake.handle_shopify serves
    raise NotImplementedError


def order_routes(intake: OrderIntake) -> list[DocumentedRoute]:
    """Both routes; mounted ahead of `/v1/webhooks/{provider}`, which would take Shopify's."""
    orders = accepted_post(
        ORDERS_PATH,
        post_order,
        serve=intake.handle_order,
        response_model=OrderAccepted,
        responses=_responses(
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
    shopify = accepted_post(
        SHOPIFY_PATH,
        shopify_webhook,
        serve=intake.handle_shopify,
        response_model=OrderAccepted,
        responses={
            200: {"model": ShopifyIgnored, "description": "A topic Suivi does not use."},
            **_responses(
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
        openapi_extra=JSON_OBJECT_BODY,
        tags=["webhooks"],
    )
    return [orders, shopify]
