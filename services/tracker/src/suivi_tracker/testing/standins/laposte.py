"""La Poste Suivi v2 stand-in: `GET /suivi/v2/idships/{ids}` with `X-Okapi-Key`."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from suivi_tracker.testing.standins.journeys import Journeys, local
from suivi_tracker.testing.standins.kit import Standin, same

CODES = {
    "info_received": ("DR1", "Votre colis est prêt à être expédié, il va être pris en charge"),
    "accepted": ("PC1", "Votre colis a été pris en charge"),
    "in_transit": ("ET1", "Votre colis est en cours de traitement"),
    "out_for_delivery": ("MD2", "Votre colis est en cours de livraison"),
    "failed_attempt": ("AG1", "Votre colis vous attend au bureau de poste"),
    "available_for_pickup": ("AG1", "Votre colis vous attend au point de retrait"),
    "delivered": ("DI1", "Votre colis est livré"),
    "exception": ("PB1", "Un problème est en cours sur votre colis"),
    "returned": ("RE1", "Votre colis est retourné à l'expéditeur"),
}
NOT_YET = "Votre suivi n'est pas encore disponible, veuillez réessayer ultérieurement."


class LaPosteStandin(Standin):
    name = "laposte"

    def __init__(self, journeys: Journeys, api_key: str) -> None:
        super().__init__(journeys)
        self.api_key = api_key

    def routes(self) -> list[BaseRoute]:
        return [*super().routes(), Route("/suivi/v2/idships/{ids}", self.idships)]

    def shipment(self, number: str, lang: str) -> tuple[int, dict[str, Any]]:
        if not self.journeys.known(number):
            body = {
                "lang": lang,
                "scope": "open",
                "returnCode": 104,
                "idShip": number,
                "returnMessage": NOT_YET,
            }
            return 404, body
        events = []
        for when, step in reversed(self.journeys.due(number)):
            code, label = CODES[step.stage]
            at = local(when, step.country).isoformat(timespec="seconds")
            events.append({"code": step.code or code, "label": step.label or label, "date": at})
        final = bool(events) and events[0]["code"] in ("DI1", "DI2")
        shipment = {
            "idShip": number,
            "holder": 4,
            "product": "Colissimo",
            "isFinal": final,
            "event": events,
            "url": f"https://www.laposte.fr/outils/suivre-vos-envois?code={number}",
        }
        return 200, {"lang": lang, "scope": "open", "returnCode": 200, "shipment": shipment}

    async def idships(self, request: Request) -> Response:
        if not same(request.headers.get("x-okapi-key"), self.api_key):
            return JSONResponse({"code": "UNAUTHORIZED", "message": "Invalid API key"}, 401)
        if (fault := self.guard(request)) is not None:
            return fault
        lang = request.query_params.get("lang", "fr_FR")
        numbers = [n for n in request.path_params["ids"].split(",") if n]
        if any(not (11 <= len(n) <= 15) or not n.isalnum() for n in numbers):
            return JSONResponse({"returnCode": 400, "returnMessage": "Numéro invalide"}, 400)
        answers = [self.shipment(n, lang) for n in numbers]
        if len(answers) == 1:
            return JSONResponse(answers[0][1], answers[0][0])
        return JSONResponse([body for _, body in answers], 207)
