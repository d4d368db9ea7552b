"""FedEx stand-in: OAuth `POST /oauth/token`, Track API `POST /track/v1/trackingnumbers`."""

from __future__ import annotations

import uuid
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from suivi_tracker.testing.standins.journeys import Journeys, local
from suivi_tracker.testing.standins.kit import Standin, TokenIssuer
from suivi_tracker.testing.standins.kit import form as read_form

CODES = {
    "info_received": ("OC", "Shipment information sent to FedEx"),
    "accepted": ("PU", "Picked up"),
    "in_transit": ("AR", "Arrived at FedEx location"),
    "out_for_delivery": ("OD", "On FedEx vehicle for delivery"),
    "failed_attempt": ("DE", "Delivery exception"),
    "available_for_pickup": ("HL", "Ready for recipient pickup"),
    "delivered": ("DL", "Delivered"),
    "exception": ("SE", "Shipment exception"),
    "returned": ("RS", "Return to shipper"),
}
NOT_FOUND = {
    "code": "TRACKING.TRACKINGNUMBER.NOTFOUND",
    "message": "Tracking number cannot be found. Please correct the tracking number and try again.",
}


class FedExStandin(Standin):
    name = "fedex"

    def __init__(self, journeys: Journeys, client_id: str, client_secret: str) -> None:
        super().__init__(journeys)
        self.issuer: TokenIssuer = TokenIssuer(
            journeys.clock, client_id, client_secret, lifetime=3599
        )

    def routes(self) -> list[BaseRoute]:
        return [
            *super().routes(),
            Route("/oauth/token", self.token, methods=["POST"]),
            Route("/track/v1/trackingnumbers", self.track, methods=["POST"]),
        ]

    async def token(self, request: Request) -> Response:
        form = await read_form(request)
        if not self.issuer.grants(form, form.get("client_id"), form.get("client_secret")):
            errors = [
                {
                    "code": "NOT.AUTHORIZED.ERROR",
                    "message": "The given client credentials were not valid.",
                }
            ]
            return JSONResponse({"transactionId": str(uuid.uuid4()), "errors": errors}, 401)
        return JSONResponse(
            {
                "access_token": self.issuer.issue(),
                "token_type": "bearer",
                "expires_in": self.issuer.lifetime,
                "scope": "CXS",
            }
        )

    def result(self, number: str) -> dict[str, Any]:
        info = {"trackingNumber": number, "carrierCode": "FDXG"}
        if not self.journeys.known(number):
            return {"trackingNumberInfo": info, "error": NOT_FOUND}
        events = []
        for when, step in reversed(self.journeys.due(number)):
            code, text = CODES[step.stage]
            location = {
                "city": step.city.upper(),
                "postalCode": step.postal_code,
                "countryCode": step.country,
            }
            events.append(
                {
                    "date": local(when, step.country).isoformat(timespec="seconds"),
                    "eventType": step.code or code,
                    "eventDescription": step.label or text,
                    "exceptionCode": "",
                    "exceptionDescription": "",
                    "derivedStatusCode": step.code or code,
                    "scanLocation": location,
                }
            )
        result: dict[str, Any] = {
            "trackingNumberInfo": info,
            "dateAndTimes": [],
            "scanEvents": events,
        }
        if events:
            result["latestStatusDetail"] = {
                "code": events[0]["eventType"],
                "description": events[0]["eventDescription"],
            }
        return result

    async def track(self, request: Request) -> Response:
        if not self.issuer.valid(request.headers.get("authorization")):
            errors = [{"code": "NOT.AUTHORIZED.ERROR", "message": "Access token expired"}]
            return JSONResponse({"transactionId": str(uuid.uuid4()), "errors": errors}, 401)
        if (fault := self.guard(request)) is not None:
            return fault
        body = await request.json()
        infos = body.get("trackingInfo") or []
        if not infos or len(infos) > 30:
            errors = [
                {
                    "code": "TRACKING.TRACKINGNUMBER.EMPTY",
                    "message": "Please provide tracking number.",
                }
            ]
            return JSONResponse({"transactionId": str(uuid.uuid4()), "errors": errors}, 400)
        complete = []
        for info in infos:
            number = str((info.get("trackingNumberInfo") or {}).get("trackingNumber", ""))
            complete.append({"trackingNumber": number, "trackResults": [self.result(number)]})
        return JSONResponse(
            {"transactionId": str(uuid.uuid4()), "output": {"completeTrackResults": complete}}
        )
