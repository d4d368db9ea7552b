"""USPS stand-in: OAuth `POST /oauth2/v3/token`, `GET /tracking/v3/tracking/{number}`."""

from __future__ import annotations

from datetime import UTC
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from suivi_tracker.testing.standins.journeys import Journeys, local
from suivi_tracker.testing.standins.kit import Standin, TokenIssuer
from suivi_tracker.testing.standins.kit import form as read_form

CODES = {
    "info_received": ("GX", "Shipping Label Created, USPS Awaiting Item"),
    "accepted": ("OA", "USPS picked up item"),
    "in_transit": ("10", "Arrived at USPS Regional Facility"),
    "out_for_delivery": ("OF", "Out for Delivery"),
    "failed_attempt": ("02", "Notice Left (No Authorized Recipient Available)"),
    "available_for_pickup": ("16", "Available for Pickup"),
    "delivered": ("01", "Delivered, In/At Mailbox"),
    "exception": ("05", "Undeliverable as Addressed"),
    "returned": ("09", "Return to Sender"),
}


class UspsStandin(Standin):
    name = "usps"

    def __init__(self, journeys: Journeys, client_id: str, client_secret: str) -> None:
        super().__init__(journeys)
        self.issuer: TokenIssuer = TokenIssuer(
            journeys.clock, client_id, client_secret, lifetime=28799
        )

    def routes(self) -> list[BaseRoute]:
        return [
            *super().routes(),
            Route("/oauth2/v3/token", self.token, methods=["POST"]),
            Route("/tracking/v3/tracking/{number}", self.tracking),
        ]

    async def token(self, request: Request) -> Response:
        if request.headers.get("content-type", "").startswith("application/json"):
            form: dict[str, Any] = await request.json()
        else:
            form = await read_form(request)
        if not self.issuer.grants(form, form.get("client_id"), form.get("client_secret")):
            return JSONResponse({"error": "invalid_client"}, 401)
        return JSONResponse(
            {
                "access_token": self.issuer.issue(),
                "token_type": "Bearer",
                "expires_in": self.issuer.lifetime,
                "status": "approved",
            }
        )

    def details(self, number: str) -> dict[str, Any]:
        events = []
        for when, step in reversed(self.journeys.due(number)):
            code, label = CODES[step.stage]
            wall = local(when, "US")
            events.append(
                {
                    "eventType": step.label or label,
                    "eventTimestamp": wall.replace(tzinfo=None).isoformat(timespec="seconds"),
                    "GMTTimestamp": when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z"),
                    "GMTOffset": "-05:00",
                    "eventCountry": "",
                    "eventCity": step.city.upper(),
                    "eventState": "",
                    "eventZIP": step.postal_code,
                    "firm": "",
                    "name": "",
                    "authorizedAgent": False,
                    "eventCode": step.code or code,
                }
            )
        status = events[0]["eventType"] if events else "Pre-Shipment"
        return {
            "trackingNumber": number,
            "mailClass": "PRIORITY_MAIL",
            "status": status,
            "statusCategory": status,
            "statusSummary": status,
            "trackingEvents": events,
        }

    async def tracking(self, request: Request) -> Response:
        if not self.issuer.valid(request.headers.get("authorization")):
            return JSONResponse({"error": {"code": "401", "message": "Unauthorized"}}, 401)
        if (fault := self.guard(request)) is not None:
            return fault
        number = request.path_params["number"]
        if not self.journeys.known(number):
            error = {
                "code": "404",
                "message": "The tracking number may be incorrect.",
                "errors": [{"title": "Not found", "detail": number}],
            }
            return JSONResponse({"apiVersion": "/tracking/v3", "error": error}, 404)
        return JSONResponse(self.details(number))
