"""EasyPost stand-in: `POST /v2/trackers` (basic auth, API key as user name), then
`tracker.updated` Events to ingest signed `X-Hmac-Signature: hmac-sha256-hex=…`."""

from __future__ import annotations

import hashlib
import hmac
import unicodedata
import uuid
from datetime import UTC, datetime
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from suivi_tracker.testing.standins.journeys import Journeys, Step
from suivi_tracker.testing.standins.kit import PushStandin, WebhookSender, basic_credentials, same

# stage → (status, status_detail, message)
CODES = {
    "info_received": ("pre_transit", "label_created", "Shipping Label Created"),
    "accepted": ("in_transit", "arrived_at_origin_facility", "Picked up"),
    "in_transit": ("in_transit", "arrived_at_facility", "Arrived at facility"),
    "out_for_delivery": ("out_for_delivery", "out_for_delivery", "Out for delivery"),
    "failed_attempt": ("failure", "delivery_failed", "Delivery attempted"),
    "available_for_pickup": (
        "available_for_pickup",
        "arrived_at_pickup_location",
        "Available for pickup",
    ),
    "delivered": ("delivered", "arrived_at_destination", "Delivered"),
    "exception": ("failure", "address_not_found", "Exception"),
    "returned": ("return_to_sender", "return", "Returned to sender"),
}


def signer(secret: str) -> Any:
    key = unicodedata.normalize("NFKD", secret).encode()

    def sign(raw: bytes) -> dict[str, str]:
        digest = hmac.new(key, raw, hashlib.sha256).hexdigest()
        return {"X-Hmac-Signature": f"hmac-sha256-hex={digest}"}

    return sign


def _iso(when: datetime) -> str:
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class EasyPostStandin(PushStandin):
    name = "easypost"

    def __init__(self, journeys: Journeys, api_key: str, sender: WebhookSender) -> None:
        super().__init__(journeys, sender)
        self.api_key = api_key

    def routes(self) -> list[BaseRoute]:
        return [*super().routes(), Route("/v2/trackers", self.create, methods=["POST"])]

    def tracker(
        self, number: str, facts: dict[str, Any], due: list[tuple[datetime, Step]]
    ) -> dict[str, Any]:
        details = []
        for when, step in due:
            status, detail, message = CODES[step.stage]
            location = {
                "object": "TrackingLocation",
                "city": step.city,
                "state": None,
                "country": step.country,
                "zip": step.postal_code,
            }
            details.append(
                {
                    "object": "TrackingDetail",
                    "message": step.label or message,
                    "description": "",
                    "status": status,
                    "status_detail": detail,
                    "datetime": _iso(when),
                    "source": facts["carrier"],
                    "carrier_code": step.code or "",
                    "tracking_location": location,
                }
            )
        status, detail = (
            (details[-1]["status"], details[-1]["status_detail"])
            if details
            else ("unknown", "unknown")
        )
        now = _iso(self.clock.now())
        return {
            "id": facts["id"],
            "object": "Tracker",
            "mode": "production",
            "tracking_code": number,
            "status": status,
            "status_detail": detail,
            "created_at": facts["created_at"],
            "updated_at": now,
            "signed_by": None,
            "weight": None,
            "est_delivery_date": None,
            "shipment_id": None,
            "carrier": facts["carrier"],
            "tracking_details": details,
            "carrier_detail": None,
            "finalized": status == "delivered",
            "is_return": False,
            "fees": [],
            "public_url": None,
        }

    def webhook(
        self, number: str, facts: dict[str, Any], due: list[tuple[datetime, Step]]
    ) -> dict[str, Any]:
        now = _iso(self.clock.now())
        return {
            "description": "tracker.updated",
            "mode": "production",
            "previous_attributes": {},
            "created_at": now,
            "updated_at": now,
            "pending_urls": [self.sender.url],
            "completed_urls": [],
            "id": f"evt_{uuid.uuid4().hex}",
            "user_id": "user_standin",
            "status": "pending",
            "object": "Event",
            "result": self.tracker(number, facts, due),
        }

    async def create(self, request: Request) -> Response:
        user, _ = basic_credentials(request.headers.get("authorization"))
        if not same(user, self.api_key):
            error = {"code": "APIKEY.INACTIVE", "message": "API key is invalid", "errors": []}
            return JSONResponse({"error": error}, 401)
        if (fault := self.guard(request)) is not None:
            return fault
        tracker = (await request.json()).get("tracker") or {}
        number = str(tracker.get("tracking_code") or "")
        if not 4 <= len(number) <= 64:
            error = {
                "code": "TRACKER.TRACKING_CODE.INVALID",
                "message": "Invalid tracking code",
                "errors": [],
            }
            return JSONResponse({"error": error}, 422)
        facts = self.registered.get(number) or {
            "id": f"trk_{uuid.uuid4().hex}",
            "carrier": tracker.get("carrier") or "USPS",
            "created_at": _iso(self.clock.now()),
        }
        self.register(number, facts)
        return JSONResponse(self.tracker(number, facts, self.journeys.due(number)), 201)
