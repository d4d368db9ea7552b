"""`POST /v1/webhooks/{provider}`, declared once: OpenAPI description, served by WebhookIntake."""

from __future__ import annotations

import uuid
from typing import Literal

from fastapi import Path
from pydantic import BaseModel

from suivi_infra.http import documented
from suivi_ingest.http import JSON_OBJECT_BODY, RETRY_AFTER_HEADER, DocumentedRoute, accepted_post
from suivi_ingest.webhooks.intake import WebhookIntake
from suivi_ingest.webhooks.providers import PROVIDERS

WEBHOOK_PATH = "/v1/webhooks/{provider}"


class Accepted(BaseModel):
    raw_event_id: uuid.UUID
    status: Literal["accepted"] = "accepted"


_ERRORS = documented(
    {
        400: "Body not UTF-8, malformed JSON, or a JSON value that is not an object.",
        401: "Missing or invalid signature, or the provider is not configured.",
        404: "Unknown provider.",
        413: "Body larger than the configured limit, or its stored event larger than "
        "Kafka's max.message.bytes even compressed: permanent, do not retry as is.",
        415: "Content-Type is not application/json.",
        503: "Kafka unavailable or too slow: nothing was stored; retry after Retry-After.",
    }
)
_ERRORS[503]["headers"] = RETRY_AFTER_HEADER


async def receive_webhook(
    provider: str = Path(description="One of: " + ", ".join(sorted(PROVIDERS))),
) -> Accepted:  # pragma: no cover - documentation only: requests go to WebhookIntake
    raise NotImplementedError


def webhook_route(intake: WebhookIntake) -> DocumentedRoute:
    return accepted_post(
        WEBHOOK_PATH,
        receive_webhook,
        app=intake,
        response_model=Accepted,
        responses=_ERRORS,
        summary="Receive one provider webhook",
        description="Answers 202 only after the raw event is stored on Kafka (acks=all). "
        "Checks, in order: provider (404), Content-Type (415), size (413), signature (401), "
        "body (400). See docs/webhooks.md for each provider's signature.",
        openapi_extra=JSON_OBJECT_BODY,
        tags=["webhooks"],
    )
