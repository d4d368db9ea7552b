"""Stand-ins of the posts polled since issue 17: Royal Mail Tracking v2, Canada Post tracking
(XML), Australia Post Shipping and Tracking, PostNL Shippingstatus v2 — each with its documented
credentials and refusals (adapters/sources/<carrier>.py say which)."""

from __future__ import annotations

from datetime import UTC
from xml.sax.saxutils import escape

from starlette.requests import Request
from starlette.responses import Response

from suivi_tracker.testing.standins.journeys import local
from suivi_tracker.testing.standins.kit import basic_credentials, same
from suivi_tracker.testing.standins.polled import History, PolledStandin, json_answer, xml

_AT = "%Y-%m-%dT%H:%M:%S%z"


class RoyalMailStandin(PolledStandin):
    name = "royal-mail"
    path = "/mailpieces/v2/{number}/events"
    CODES = {
        "info_received": ("EVAIP", "Sender despatching item"),
        "accepted": ("EVPPA", "Accepted at Parcelshop"),
        "in_transit": ("EVORI", "Arrived at"),
        "out_for_delivery": ("EVGPD", "Due to be delivered today"),
        "failed_attempt": ("EVKNA", "Delivery Attempted - No Answer"),
        "available_for_pickup": ("EVNDA", "Available for Redelivery or Collection"),
        "delivered": ("EVKSF", "Delivered to Safeplace"),
        "exception": ("EVNMI", "Forwarded - Mis-sort"),
        "returned": ("EVNRT", "Item Retention"),
    }

    def refused(self, request: Request, body: bytes) -> Response | None:
        cid, secret = self.secrets
        h = request.headers
        if not (same(h.get("x-ibm-client-id"), cid) and same(h.get("x-ibm-client-secret"), secret)):
            return json_answer({"httpCode": "401", "httpMessage": "Unauthorized"}, 401)
        if h.get("x-accept-rmg-terms") != "yes":
            error = {"errorCode": "E0004", "errorDescription": "Failed header validation"}
            return json_answer({"httpCode": "400", "errors": [error]}, 400)
        return None

    def number(self, request: Request, body: bytes) -> str:
        return str(request.path_params["number"])

    def unknown(self, number: str) -> Response:
        error = {"errorCode": "E1142", "errorDescription": "Tracking number not recognised"}
        return json_answer({"httpCode": "404", "httpMessage": "Not Found", "errors": [error]}, 404)

    def render(self, number: str, history: History) -> Response:
        events = [
            {
                "eventCode": step.code or self.CODES[step.stage][0],
                "eventName": step.label or self.CODES[step.stage][1],
                "eventDateTime": local(when, "GB").strftime(_AT),
                "locationName": f"{step.city} DO",
            }
            for when, step in reversed(history)
        ]
        summary = {
            "oneDBarcode": number,
            "originCountryCode": "GBR",
            "destinationCountryCode": "GBR",
        }
        piece = {"mailPieceId": number, "summary": summary, "events": events}
        return json_answer({"mailPieces": piece})


class CanadaPostStandin(PolledStandin):
    name = "canada-post"
    path = "/vis/track/pin/{number}/detail"
    CODES = {
        "info_received": ("3000", "Electronic information submitted by shipper"),
        "accepted": ("0100", "Item processed at postal facility"),
        "in_transit": ("0100", "Item processed at postal facility"),
        "out_for_delivery": ("0174", "Item out for delivery"),
        "delivered": ("1496", "Item successfully delivered"),
    }

    def refused(self, request: Request, body: bytes) -> Response | None:
        user, password = basic_credentials(request.headers.get("authorization"))
        if same(user, self.secrets[0]) and same(password, self.secrets[1]):
            return None
        return xml(_messages("E002", "AAA Authentication Failure"), 401)

    def number(self, request: Request, body: bytes) -> str | Response:
        pin = str(request.path_params["number"])
        if not pin.isdigit():
            return xml(_messages("002", "Invalid pin"), 400)
        return pin

    def unknown(self, number: str) -> Response:
        return xml(_messages("004", "No Pin History"), 404)

    def render(self, number: str, history: History) -> Response:
        events = "".join(
            "<occurrence>"
            f"<event-identifier>{step.code or self.CODES.get(step.stage, ('0100', ''))[0]}"
            "</event-identifier>"
            f"<event-date>{local(when, 'CA'):%Y-%m-%d}</event-date>"
            f"<event-time>{local(when, 'CA'):%H:%M:%S}</event-time>"
            "<event-time-zone>EST</event-time-zone>"
            f"<event-description>{escape(step.label or self.CODES.get(step.stage, ('', ''))[1])}"
            "</event-description>"
            f"<event-site>{escape(step.city.upper())}</event-site><event-province>ON</event-province>"
            "</occurrence>"
            for when, step in reversed(history)
        )
        return xml(
            f'<tracking-detail xmlns="http://www.canadapost.ca/ws/track-v2"><pin>{number}</pin>'
            f"<significant-events>{events}</significant-events></tracking-detail>"
        )


def _messages(code: str, description: str) -> str:
    return (
        '<messages xmlns="http://www.canadapost.ca/ws/messages"><message>'
        f"<code>{code}</code><description>{description}</description></message></messages>"
    )


class AustraliaPostStandin(PolledStandin):
    name = "australia-post"
    path = "/shipping/v1/track"
    WORDS = {
        "info_received": "Shipping information received by Australia Post",
        "accepted": "Received by Australia Post",
        "in_transit": "Item processed at facility",
        "out_for_delivery": "Onboard for delivery",
        "available_for_pickup": "Awaiting collection",
        "delivered": "Delivered",
    }

    def refused(self, request: Request, body: bytes) -> Response | None:
        user, password = basic_credentials(request.headers.get("authorization"))
        key, secret, account = self.secrets
        if not (same(user, key) and same(password, secret)):
            return json_answer({"errors": [{"code": "401", "name": "UNAUTHORISED"}]}, 401)
        if not same(request.headers.get("account-number"), account):
            return json_answer({"errors": [{"code": "403", "name": "FORBIDDEN"}]}, 403)
        return None

    def number(self, request: Request, body: bytes) -> str | Response:
        ids = [i for i in request.query_params.get("tracking_ids", "").split(",") if i]
        if not 1 <= len(ids) <= 10:
            error = {"code": "51101", "name": "TOO_MANY_AP_TRACKING_IDS"}
            return json_answer({"errors": [error]}, 400)
        return ids[0]

    def unknown(self, number: str) -> Response:
        error = {"code": "ESB-10001", "name": "Invalid tracking ID"}
        return json_answer({"tracking_results": [{"tracking_id": number, "errors": [error]}]})

    def render(self, number: str, history: History) -> Response:
        events = [
            {
                "location": f"{step.city.upper()} VIC",
                "description": step.label or self.WORDS.get(step.stage, step.stage),
                "date": when.astimezone(UTC).strftime(_AT),
            }
            for when, step in reversed(history)
        ]
        done = bool(history) and history[-1][1].stage == "delivered"
        status = "Delivered" if done else "In transit"
        item = {
            "article_id": number,
            "product_type": "Parcel Post",
            "events": events,
            "status": status,
        }
        return json_answer(
            {
                "tracking_results": [
                    {"tracking_id": number, "status": status, "trackable_items": [item]}
                ]
            }
        )


class PostNLStandin(PolledStandin):
    name = "postnl"
    path = "/shipment/v2/status/barcode/{number}"
    CODES = {
        "info_received": ("1", "1", "Zending is voorgemeld"),
        "accepted": ("2", "1", "Zending is in ontvangst genomen door PostNL"),
        "in_transit": ("5", "2", "Zending is gesorteerd"),
        "out_for_delivery": ("7", "3", "Zending is in distributieproces"),
        "failed_attempt": ("8", "3", "Zending niet afgeleverd"),
        "available_for_pickup": ("12", "3", "Zending is beschikbaar op afhaallocatie"),
        "delivered": ("11", "4", "Zending afgeleverd"),
    }

    def refused(self, request: Request, body: bytes) -> Response | None:
        if same(request.headers.get("apikey"), self.secrets[0]):
            return None
        return json_answer({"fault": {"faultstring": "Invalid ApiKey"}}, 401)

    def number(self, request: Request, body: bytes) -> str:
        return str(request.path_params["number"])

    def unknown(self, number: str) -> Response:
        return json_answer(
            {"Errors": [{"Description": "Geen zending gevonden", "ErrorCode": "3"}]}, 404
        )

    def render(self, number: str, history: History) -> Response:
        old = [
            {
                "StatusCode": step.code or self.CODES.get(step.stage, ("99", "99", ""))[0],
                "StatusDescription": step.label
                or self.CODES.get(step.stage, ("", "", step.stage))[2],
                "PhaseCode": self.CODES.get(step.stage, ("", "99", ""))[1],
                "TimeStamp": local(when, "NL").strftime("%d-%m-%Y %H:%M:%S"),
            }
            for when, step in reversed(history)
        ]
        shipment = {"Barcode": number, "MainBarcode": number, "OldStatus": old}
        return json_answer({"CompleteStatus": {"Shipment": shipment}})
