"""UPS stand-in: OAuth token, Track API details and Track Alert subscriptions (push to ingest
with the subscription's `credential`, one event per POST as UPS does)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from suivi_tracker.testing.standins.journeys import Journeys, Step, local
from suivi_tracker.testing.standins.kit import (
    PushStandin,
    TokenIssuer,
    WebhookSender,
    basic_credentials,
)
from suivi_tracker.testing.standins.kit import form as read_form

# stage → (status type, status code, PDSC / statusCode, description)
CODES = {
    "info_received": (
        "M",
        "MP",
        "003",
        "Shipper created a label, UPS has not received the package yet.",
    ),
    "accepted": ("P", "PU", "038", "Picked up"),
    "in_transit": ("I", "AR", "005", "Arrived at Facility"),
    "out_for_delivery": ("I", "OT", "021", "Out For Delivery Today"),
    "failed_attempt": ("X", "48", "022", "The receiver was not available for delivery."),
    "available_for_pickup": (
        "I",
        "2Q",
        "040",
        "Delivered to UPS Access Point, awaiting customer pickup",
    ),
    "delivered": ("D", "KB", "011", "DELIVERED"),
    "exception": ("X", "XX", "013", "Exception"),
    "returned": ("RS", "RS", "005", "Returning to Sender"),
}


def _address(step: Step) -> dict[str, str]:
    return {
        "city": step.city.upper(),
        "stateProvince": "",
        "postalCode": step.postal_code,
        "country": step.country,
        "countryCode": step.country,
    }


class UpsStandin(PushStandin):
    name = "ups"

    def __init__(
        self, journeys: Journeys, client_id: str, client_secret: str, sender: WebhookSender
    ) -> None:
        super().__init__(journeys, sender)
        self.issuer: TokenIssuer = TokenIssuer(
            journeys.clock, client_id, client_secret, lifetime=14399
        )

    def routes(self) -> list[BaseRoute]:
        return [
            *super().routes(),
            Route("/security/v1/oauth/token", self.token, methods=["POST"]),
            Route("/api/track/v1/details/{number}", self.details),
            Route("/api/track/v1/subscription/standard/package", self.subscribe, methods=["POST"]),
        ]

    async def token(self, request: Request) -> Response:
        form = await read_form(request)
        user, password = basic_credentials(request.headers.get("authorization"))
        if not self.issuer.grants(form, user, password):
            return JSONResponse(
                {"response": {"errors": [{"code": "10401", "message": "ClientId is Invalid"}]}}, 401
            )
        # UPS sends expires_in as a string.
        return JSONResponse(
            {
                "token_type": "Bearer",
                "access_token": self.issuer.issue(),
                "expires_in": str(self.issuer.lifetime),
                "status": "approved",
            }
        )

    def _unauthorized(self, request: Request) -> Response | None:
        if self.issuer.valid(request.headers.get("authorization")):
            return None
        errors = [{"code": "250002", "message": "Invalid Authentication Information."}]
        return JSONResponse({"response": {"errors": errors}}, 401)

    def activity(self, when: datetime, step: Step) -> dict[str, Any]:
        kind, code, pdsc, text = CODES[step.stage]
        wall, gmt = local(when, step.country), when.astimezone(UTC)
        offset = wall.strftime("%z")
        return {
            "location": {"address": _address(step)},
            "status": {
                "type": kind,
                "description": step.label or text,
                "code": step.code or code,
                "statusCode": pdsc,
            },
            "date": wall.strftime("%Y%m%d"),
            "time": wall.strftime("%H%M%S"),
            "gmtDate": gmt.strftime("%Y%m%d"),
            "gmtTime": gmt.strftime("%H:%M:%S"),
            "gmtOffset": f"{offset[:3]}:{offset[3:]}",
        }

    async def details(self, request: Request) -> Response:
        if (refused := self._unauthorized(request) or self.guard(request)) is not None:
            return refused
        number = request.path_params["number"]
        if not self.journeys.known(number):
            errors = [{"code": "TV1002", "message": "Invalid inquiry number"}]
            return JSONResponse({"response": {"errors": errors}}, 404)
        activities = [self.activity(w, s) for w, s in reversed(self.journeys.due(number))]
        package: dict[str, Any] = {"trackingNumber": number, "activity": activities}
        if activities:
            package["currentStatus"] = {
                "description": activities[0]["status"]["description"],
                "code": activities[0]["status"]["statusCode"],
            }
        shipment = {"inquiryNumber": number, "package": [package]}
        return JSONResponse({"trackResponse": {"shipment": [shipment]}})

    async def subscribe(self, request: Request) -> Response:
        if (refused := self._unauthorized(request) or self.guard(request)) is not None:
            return refused
        body = await request.json()
        destination = body.get("destination") or {}
        valid, invalid = [], []
        for number in body.get("trackingNumberList") or []:
            if self.journeys.known(number):
                self.register(number, {"credential": destination.get("credential", "")})
                valid.append(number)
            else:
                invalid.append(number)
        return JSONResponse({"validTrackingNumbers": valid, "invalidTrackingNumbers": invalid})

    def webhooks(
        self, number: str, facts: dict[str, Any], due: list[tuple[datetime, Step]], done: int
    ) -> list[tuple[dict[str, Any], dict[str, str]]]:
        headers = {"credential": facts["credential"], "User-Agent": "UPSPubSubTrackingService"}
        return [(self.alert(number, when, step), headers) for when, step in due[done:]]

    def alert(self, number: str, when: datetime, step: Step) -> dict[str, Any]:
        """The Track Alert event body (UPSTrackAlert.yaml TrackingEventRequest)."""
        kind, code, pdsc, text = CODES[step.stage]
        wall, gmt = local(when, step.country), when.astimezone(UTC)
        delivered = step.stage == "delivered"
        return {
            "trackingNumber": number,
            "localActivityDate": wall.strftime("%Y%m%d"),
            "localActivityTime": wall.strftime("%H%M%S"),
            "gmtActivityDate": gmt.strftime("%Y%m%d"),
            "gmtActivityTime": gmt.strftime("%H%M%S"),
            "activityLocation": {k: v for k, v in _address(step).items() if k != "countryCode"},
            "activityStatus": {
                "type": kind,
                "code": step.code or code,
                "description": step.label or text,
                "descriptionCode": pdsc,
            },
            "scheduledDeliveryDate": "",
            "actualDeliveryDate": wall.strftime("%Y%m%d") if delivered else "",
            "actualDeliveryTime": wall.strftime("%H%M%S") if delivered else "",
        }
