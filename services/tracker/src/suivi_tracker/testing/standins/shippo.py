"""Shippo stand-in: `POST /tracks/` (`Authorization: ShippoToken …`), then `track_updated`
webhooks to ingest with `?token=` and/or `Shippo-Auth-Signature: t=…,v1=…`."""

from __future__ import annotations

import time
import uuid
from datetime import UTC, datetime
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from suivi_infra import signing
from suivi_tracker.testing.standins.journeys import Journeys, Step
from suivi_tracker.testing.standins.kit import PushStandin, WebhookSender, same

# stage → (status, substatus code)
CODES = {
    "info_received": ("PRE_TRANSIT", "information_received"),
    "accepted": ("TRANSIT", "package_accepted"),
    "in_transit": ("TRANSIT", "package_arrived"),
    "out_for_delivery": ("TRANSIT", "out_for_delivery"),
    "failed_attempt": ("FAILURE", "delivery_attempted"),
    "available_for_pickup": ("TRANSIT", "package_held"),
    "delivered": ("DELIVERED", "delivered"),
    "exception": ("FAILURE", "package_undeliverable"),
    "returned": ("RETURNED", "return_to_sender"),
}


def signer(secret: str | None) -> Any:
    """Shippo's HMAC header over `"<t>.<body>"` with the real time (ingest checks ±5 min)."""

    def sign(raw: bytes) -> dict[str, str]:
        if not secret:
            return {}
        return {"Shippo-Auth-Signature": signing.sign(raw, [secret], int(time.time()))}

    return sign


def _iso(when: datetime) -> str:
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")


class ShippoStandin(PushStandin):
    name = "shippo"

    def __init__(self, journeys: Journeys, api_key: str, sender: WebhookSender) -> None:
        super().__init__(journeys, sender)
        self.api_key = api_key

    def routes(self) -> list[BaseRoute]:
        return [*super().routes(), Route("/tracks/", self.create, methods=["POST"])]

    def status(self, when: datetime, step: Step) -> dict[str, Any]:
        status, code = CODES[step.stage]
        location = {
            "city": step.city,
            "state": "",
            "zip": step.postal_code,
            "country": step.country,
        }
        return {
            "object_created": _iso(when),
            "object_updated": _iso(when),
            "object_id": uuid.uuid5(uuid.NAMESPACE_URL, f"{when.isoformat()}{step}").hex,
            "status": status,
            "status_details": step.label or code.replace("_", " "),
            "status_date": _iso(when),
            "substatus": {"code": code, "text": code.replace("_", " "), "action_required": False},
            "location": location,
        }

    def track(
        self, number: str, facts: dict[str, Any], due: list[tuple[datetime, Step]]
    ) -> dict[str, Any]:
        history = [self.status(when, step) for when, step in due]
        unknown = {
            "object_created": None,
            "object_updated": None,
            "object_id": None,
            "status": "UNKNOWN",
            "status_details": "",
            "status_date": None,
            "substatus": None,
            "location": None,
        }
        return {
            "messages": [],
            "carrier": facts["carrier"],
            "tracking_number": number,
            "address_from": None,
            "address_to": None,
            "transaction": None,
            "eta": None,
            "original_eta": None,
            "servicelevel": {"token": None, "name": None},
            "metadata": None,
            "tracking_status": history[-1] if history else unknown,
            "tracking_history": history,
        }

    def webhook(
        self, number: str, facts: dict[str, Any], due: list[tuple[datetime, Step]]
    ) -> dict[str, Any]:
        return {"event": "track_updated", "test": False, "data": self.track(number, facts, due)}

    async def create(self, request: Request) -> Response:
        if not same(request.headers.get("authorization"), f"ShippoToken {self.api_key}"):
            return JSONResponse({"detail": "Invalid token."}, 401)
        if (fault := self.guard(request)) is not None:
            return fault
        body = await request.json()
        number, carrier = str(body.get("tracking_number") or ""), str(body.get("carrier") or "")
        if not number or not carrier:
            return JSONResponse({"tracking_number": ["This field is required."]}, 400)
        facts = self.registered.get(number) or {"carrier": carrier}
        self.register(number, facts)
        return JSONResponse(self.track(number, facts, self.journeys.due(number)), 201)
