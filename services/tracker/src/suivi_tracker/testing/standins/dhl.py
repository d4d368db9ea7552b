"""DHL Shipment Tracking - Unified stand-in: `GET /track/shipments` with `DHL-API-Key`."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from suivi_tracker.testing.standins.journeys import Journeys, local
from suivi_tracker.testing.standins.kit import Standin, same

CODES = {
    "info_received": ("pre-transit", "Shipment information received"),
    "accepted": ("transit", "Shipment picked up"),
    "in_transit": ("transit", "Arrived at DHL Sort Facility"),
    "out_for_delivery": ("transit", "Shipment is out with courier for delivery"),
    "failed_attempt": ("failure", "Delivery attempted; recipient not home"),
    "available_for_pickup": ("transit", "Available for pickup at the parcel shop"),
    "delivered": ("delivered", "Delivered"),
    "exception": ("failure", "Shipment on hold"),
    "returned": ("transit", "The shipment is being returned to the sender"),
}


def _problem(status: int, title: str, detail: str) -> Response:
    body = {"title": title, "status": status, "detail": detail}
    return JSONResponse(body, status, media_type="application/problem+json")


class DhlStandin(Standin):
    name = "dhl"

    def __init__(self, journeys: Journeys, api_key: str) -> None:
        super().__init__(journeys)
        self.api_key = api_key

    def routes(self) -> list[BaseRoute]:
        return [*super().routes(), Route("/track/shipments", self.shipments)]

    def shipment(self, number: str) -> dict[str, Any]:
        events = []
        for when, step in reversed(self.journeys.due(number)):
            code, text = CODES[step.stage]
            address = {
                "countryCode": step.country,
                "postalCode": step.postal_code,
                "addressLocality": step.city,
            }
            events.append(
                {
                    "timestamp": local(when, step.country).isoformat(timespec="seconds"),
                    "location": {"address": address},
                    "statusCode": step.code or code,
                    "status": step.label or text,
                    "description": step.label or text,
                }
            )
        shipment: dict[str, Any] = {"id": number, "service": "express", "events": events}
        if events:
            shipment["status"] = events[0]
        return shipment

    async def shipments(self, request: Request) -> Response:
        if not same(request.headers.get("dhl-api-key"), self.api_key):
            return _problem(401, "Unauthorized", "Invalid API key.")
        if (fault := self.guard(request)) is not None:
            return fault
        number = request.query_params.get("trackingNumber", "")
        if not number:
            return _problem(400, "Bad request", "trackingNumber is required")
        if not self.journeys.known(number):
            return _problem(404, "No result found", "No shipment with given tracking number found.")
        if self.journeys.needs_postal_code(number) and not request.query_params.get(
            "recipientPostalCode"
        ):
            return _problem(
                400, "Bad request", "recipientPostalCode is required for this shipment."
            )
        return JSONResponse({"shipments": [self.shipment(number)]})
