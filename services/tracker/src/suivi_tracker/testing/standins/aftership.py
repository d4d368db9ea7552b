"""AfterShip Tracking API stand-in: `POST /tracking/{version}/trackings`, `DELETE
/tracking/{version}/trackings/{id}` (`as-api-key`), then `tracking_update` webhooks to ingest
signed `aftership-hmac-sha256: <base64 HMAC-SHA256 of the body>`."""

from __future__ import annotations

import base64
import hashlib
import hmac
import uuid
from datetime import datetime
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from suivi_tracker.testing.standins.journeys import Journeys, Step, local
from suivi_tracker.testing.standins.kit import PushStandin, WebhookSender, same

CODES = {
    "info_received": ("InfoReceived", "InfoReceived_001", "Info Received"),
    "accepted": ("InTransit", "InTransit_002", "Acceptance scan"),
    "in_transit": ("InTransit", "InTransit_001", "In Transit"),
    "out_for_delivery": ("OutForDelivery", "OutForDelivery_001", "Out for Delivery"),
    "failed_attempt": ("AttemptFail", "AttemptFail_001", "Failed Attempt"),
    "available_for_pickup": (
        "AvailableForPickup",
        "AvailableForPickup_001",
        "Available for Pickup",
    ),
    "delivered": ("Delivered", "Delivered_001", "Delivered"),
    "exception": ("Exception", "Exception_001", "Exception"),
    "returned": ("Exception", "Exception_011", "Returned to sender"),
}


def signer(secret: str) -> Any:
    def sign(raw: bytes) -> dict[str, str]:
        digest = hmac.new(secret.encode(), raw, hashlib.sha256).digest()
        return {"aftership-hmac-sha256": base64.b64encode(digest).decode()}

    return sign


def _meta(code: int, message: str = "", kind: str = "") -> dict[str, Any]:
    return {"code": code, "message": message, "type": kind}


class AfterShipStandin(PushStandin):
    name = "aftership"

    def __init__(self, journeys: Journeys, api_key: str, sender: WebhookSender) -> None:
        super().__init__(journeys, sender)
        self.api_key = api_key
        self.by_id: dict[str, str] = {}

    def routes(self) -> list[BaseRoute]:
        return [
            *super().routes(),
            Route("/tracking/{version}/trackings", self.create, methods=["POST"]),
            Route("/tracking/{version}/trackings/{id}", self.delete, methods=["DELETE"]),
        ]

    def tracking(
        self, number: str, facts: dict[str, Any], due: list[tuple[datetime, Step]]
    ) -> dict[str, Any]:
        checkpoints = []
        for when, step in due:
            tag, subtag, message = CODES[step.stage]
            at = local(when, step.country).isoformat(timespec="seconds")
            checkpoints.append(
                {
                    "slug": facts["slug"],
                    "checkpoint_time": at,
                    "created_at": at,
                    "city": step.city,
                    "postal_code": step.postal_code,
                    "country_region": step.country,
                    "location": step.city,
                    "message": step.label or message,
                    "tag": tag,
                    "subtag": subtag,
                    "subtag_message": message,
                }
            )
        last = (
            checkpoints[-1]
            if checkpoints
            else {"tag": "Pending", "subtag": "Pending_001", "subtag_message": "Pending"}
        )
        return {
            "id": facts["id"],
            "tracking_number": number,
            "slug": facts["slug"],
            "active": last["tag"] != "Delivered",
            "tag": last["tag"],
            "subtag": last["subtag"],
            "subtag_message": last["subtag_message"],
            "title": number,
            "checkpoints": checkpoints,
        }

    def webhook(
        self, number: str, facts: dict[str, Any], due: list[tuple[datetime, Step]]
    ) -> dict[str, Any]:
        return {
            "event": "tracking_update",
            "event_id": str(uuid.uuid4()),
            "is_tracking_first_tag": False,
            "msg": self.tracking(number, facts, due),
            "ts": int(self.clock.now().timestamp()),
        }

    def _unauthorized(self, request: Request) -> Response | None:
        if same(request.headers.get("as-api-key"), self.api_key):
            return None
        return JSONResponse(
            {"meta": _meta(401, "Invalid API key.", "Unauthorized"), "data": {}}, 401
        )

    async def create(self, request: Request) -> Response:
        if (refused := self._unauthorized(request) or self.guard(request)) is not None:
            return refused
        body = await request.json()
        number, slug = str(body.get("tracking_number") or ""), str(body.get("slug") or "")
        if not number:
            return JSONResponse(
                {"meta": _meta(4005, "tracking_number is required.", "BadRequest"), "data": {}}, 400
            )
        if number in self.registered:
            facts = self.registered[number]
            data = self.tracking(number, facts, self.journeys.due(number))
            return JSONResponse(
                {"meta": _meta(4003, "Tracking already exists.", "BadRequest"), "data": data}, 400
            )
        facts = {"id": uuid.uuid4().hex, "slug": slug or "usps"}
        self.by_id[facts["id"]] = number
        self.register(number, facts)
        data = self.tracking(number, facts, self.journeys.due(number))
        return JSONResponse({"meta": _meta(201), "data": data}, 201)

    async def delete(self, request: Request) -> Response:
        if (refused := self._unauthorized(request) or self.guard(request)) is not None:
            return refused
        number = self.by_id.pop(request.path_params["id"], None)
        if number is None or not self.stop(number):
            return JSONResponse(
                {"meta": _meta(4004, "Tracking does not exist.", "NotFound"), "data": {}}, 404
            )
        return JSONResponse({"meta": _meta(200), "data": {"tracking": {"tracking_number": number}}})
