"""Stand-ins of the parcel networks polled since issue 17: GLS track and trace, DPD's SOAP
LoginService + ParcelLifeCycleService, Mondial Relay's signed SOAP tracing, YunExpress —
each with its documented credentials and refusals (adapters/sources/<carrier>.py)."""

from __future__ import annotations

import base64
import re
import secrets
from xml.sax.saxutils import escape

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from suivi_tracker.adapters.sources.mondial_relay import security
from suivi_tracker.testing.standins.journeys import Step, local
from suivi_tracker.testing.standins.kit import basic_credentials, same
from suivi_tracker.testing.standins.polled import History, PolledStandin, json_answer, xml

_SOAP = '<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body>{}</soap:Body></soap:Envelope>'


def _words(step: Step, table: dict[str, tuple[str, str]]) -> str:
    return step.label or table.get(step.stage, ("", step.stage))[1]


def _tag(name: str, body: bytes) -> str | None:
    found = re.search(
        rf"<(?:\w+:)?{name}>([^<]*)</(?:\w+:)?{name}>", body.decode("utf-8", "replace")
    )
    return found[1] if found else None


class GlsStandin(PolledStandin):
    name = "gls"
    path = "/rstt001"
    WORDS = {
        "info_received": "The parcel data was entered into the GLS IT system; the parcel was "
        "not yet handed over to GLS.",
        "accepted": "The parcel was handed over to GLS.",
        "in_transit": "The parcel has reached the parcel center.",
        "out_for_delivery": "The parcel is expected to be delivered during the day.",
        "failed_attempt": "The parcel could not be delivered as the consignee was absent.",
        "available_for_pickup": "The parcel has been delivered at the ParcelShop.",
        "delivered": "The parcel has been delivered.",
    }
    STATUS = {
        "info_received": "PREADVICE",
        "out_for_delivery": "INDELIVERY",
        "delivered": "DELIVERED",
    }

    def refused(self, request: Request, body: bytes) -> Response | None:
        user, password = basic_credentials(request.headers.get("authorization"))
        if same(user, self.secrets[0]) and same(password, self.secrets[1]):
            return None
        return json_answer({"exceptionText": "Unauthorized"}, 401)

    def number(self, request: Request, body: bytes) -> str | Response:
        match = request.query_params.get("match", "")
        return match or json_answer({"exceptionText": "Parameter match is missing"}, 400)

    def unknown(self, number: str) -> Response:
        return json_answer({"exceptionText": "No data found for the given parcel number."}, 404)

    def render(self, number: str, history: History) -> Response:
        rows = [
            {
                "date": f"{local(when, step.country):%Y-%m-%d}",
                "time": f"{local(when, step.country):%H:%M:%S}",
                "evtDscr": step.label or self.WORDS.get(step.stage, step.stage),
                "address": {"city": step.city, "countryCode": step.country},
            }
            for when, step in reversed(history)
        ]
        stage = history[-1][1].stage if history else "info_received"
        bar = {"statusInfo": self.STATUS.get(stage, "INTRANSIT")}
        return json_answer({"tuStatus": [{"tuNo": number, "progressBar": bar, "history": rows}]})


class DpdStandin(PolledStandin):
    name = "dpd"
    path = "/soap/services/ParcelLifeCycleService/V2_0"
    methods = ("POST",)
    CODES = {
        "info_received": ("PickedUp", "DPD has received your parcel."),
        "accepted": ("PickedUp", "DPD has received your parcel."),
        "in_transit": ("BetweenDepots", "The parcel is at the parcel dispatch centre."),
        "out_for_delivery": ("Courier", "The parcel is on its way to the consignee."),
        "failed_attempt": ("DeliveryFailure", "We have not been able to deliver your parcel."),
        "available_for_pickup": ("ParcelShop", "Delivered by driver to Pickup parcelshop"),
        "delivered": ("Delivered", "Your parcel has been delivered."),
    }

    def __init__(self, *args: object) -> None:
        super().__init__(*args)  # type: ignore[arg-type]
        self.tokens: set[str] = set()
        self.logins = 0

    def routes(self) -> list[BaseRoute]:
        login = Route("/soap/services/LoginService/V2_1", self.login, methods=["POST"])
        return [*super().routes(), login]

    def expire_tokens(self) -> None:
        self.tokens.clear()

    async def login(self, request: Request) -> Response:
        body = await request.body()
        if not (
            same(_tag("delisId", body), self.secrets[0])
            and same(_tag("password", body), self.secrets[1])
        ):
            return _fault()
        self.logins += 1
        token = secrets.token_hex(16)
        self.tokens.add(token)
        answer = (
            f"<getAuthResponse><return><delisId>{self.secrets[0]}</delisId>"
            f"<authToken>{token}</authToken></return></getAuthResponse>"
        )
        return xml(_SOAP.format(answer))

    def refused(self, request: Request, body: bytes) -> Response | None:
        if (
            same(_tag("delisId", body), self.secrets[0])
            and (_tag("authToken", body) or "") in self.tokens
        ):
            return None
        return _fault()

    def number(self, request: Request, body: bytes) -> str | Response:
        return _tag("parcelLabelNumber", body) or _fault("LOGIN_8", "parcelLabelNumber missing")

    def unknown(self, number: str) -> Response:
        return xml(
            _SOAP.format(
                '<getTrackingDataResponse xmlns="http://dpd.com/common/service/types/ParcelLifeCycleService/2.0"><trackingresult/></getTrackingDataResponse>'
            )
        )

    def render(self, number: str, history: History) -> Response:
        infos = "".join(
            "<statusInfo>"
            f"<status>{step.code or self.CODES.get(step.stage, ('Depot',))[0]}</status>"
            f"<description><content><content>{escape(_words(step, self.CODES))}</content>"
            "</content></description>"
            "<statusHasBeenReached>true</statusHasBeenReached>"
            f"<location><content>{escape(step.city)} ({step.country})</content></location>"
            f"<date><content>{local(when, step.country):%-m/%-d/%Y %-I:%M:%S %p}</content></date>"
            "</statusInfo>"
            for when, step in history
        )
        body = f'<getTrackingDataResponse xmlns="http://dpd.com/common/service/types/ParcelLifeCycleService/2.0"><trackingresult>{infos}</trackingresult></getTrackingDataResponse>'
        return xml(_SOAP.format(body))


def _fault(
    code: str = "DELICOM_ERR_AUTHENTICATION", message: str = "Authentication failure"
) -> Response:
    detail = (
        f"<detail><authenticationFault><errorCode>{code}</errorCode>"
        f"<errorMessage>{message}</errorMessage></authenticationFault></detail>"
    )
    return xml(
        _SOAP.format(
            "<soap:Fault><faultcode>soap:Server</faultcode>"
            f"<faultstring>Fault occured</faultstring>{detail}</soap:Fault>"
        ),
        500,
    )


class MondialRelayStandin(PolledStandin):
    name = "mondial-relay"
    path = "/Web_Services.asmx"
    methods = ("POST",)
    WORDS = {
        "info_received": "Colis déposé en Point Relais",
        "accepted": "Prise en charge en agence",
        "in_transit": "Colis en cours d'acheminement",
        "available_for_pickup": "Colis disponible au Point Relais",
        "out_for_delivery": "Colis disponible au Point Relais",
        "delivered": "Colis récupéré par le destinataire",
    }

    def refused(self, request: Request, body: bytes) -> Response | None:
        values = [_tag(k, body) or "" for k in ("Enseigne", "Expedition", "Langue")]
        expected = security(*values, private_key=self.secrets[1])
        if same(values[0], self.secrets[0]) and same(_tag("Security", body), expected):
            return None
        return self._stat("97")

    def number(self, request: Request, body: bytes) -> str | Response:
        number = _tag("Expedition", body) or ""
        return number if number.isdigit() and len(number) == 8 else self._stat("24")

    def unknown(self, number: str) -> Response:
        return self._stat("94")

    def _stat(self, stat: str, tracing: str = "") -> Response:
        result = (
            f"<STAT>{stat}</STAT><Libelle01 /><Relais_Libelle /><Relais_Num /><Libelle02 />"
            f"<Tracing>{tracing}</Tracing>"
        )
        return xml(
            _SOAP.format(
                f'<WSI2_TracingColisDetailleResponse xmlns="http://www.mondialrelay.fr/webservice/"><WSI2_TracingColisDetailleResult>{result}</WSI2_TracingColisDetailleResult></WSI2_TracingColisDetailleResponse>'
            )
        )

    def render(self, number: str, history: History) -> Response:
        rows = "".join(
            "<ret_WSI2_sub_TracingColisDetaille>"
            f"<Libelle>{escape(step.label or self.WORDS.get(step.stage, step.stage))}</Libelle>"
            f"<Date>{local(when, 'FR'):%d/%m/%Y}</Date><Heure>{local(when, 'FR'):%H:%M}</Heure>"
            f"<Emplacement>{escape(step.city.upper())}</Emplacement>"
            "<Relais_Num /><Relais_Pays>FR</Relais_Pays>"
            "</ret_WSI2_sub_TracingColisDetaille>"
            for when, step in history
        )
        done = bool(history) and history[-1][1].stage == "delivered"
        return self._stat("82" if done else "81", rows)


class YunExpressStandin(PolledStandin):
    name = "yunexpress"
    path = "/api/Tracking/GetTrackInfo"
    WORDS = {
        "info_received": "Shipment information received",
        "accepted": "Shipment received by YunExpress",
        "in_transit": "Departed from facility",
        "out_for_delivery": "Out for delivery",
        "delivered": "Delivered",
    }

    def refused(self, request: Request, body: bytes) -> Response | None:
        code, secret = self.secrets
        expected = "Basic " + base64.b64encode(f"{code}&{secret}".encode()).decode("ascii")
        if same(request.headers.get("authorization"), expected):
            return None
        return json_answer({"ResultCode": "0401", "ResultDesc": "Unauthorized"}, 401)

    def number(self, request: Request, body: bytes) -> str | Response:
        number = request.query_params.get("OrderNumber", "")
        return number or json_answer(
            {"ResultCode": "1002", "ResultDesc": "OrderNumber is required"}, 400
        )

    def unknown(self, number: str) -> Response:
        return json_answer(
            {"Item": None, "ResultCode": "1001", "ResultDesc": "Waybill number does not exist"}
        )

    def render(self, number: str, history: History) -> Response:
        rows = [
            {
                "ProcessDate": local(when, "CN").replace(tzinfo=None).isoformat(timespec="seconds"),
                "ProcessContent": step.label or self.WORDS.get(step.stage, step.stage),
                "ProcessLocation": step.city,
            }
            for when, step in history
        ]
        done = bool(history) and history[-1][1].stage == "delivered"
        item = {
            "WaybillNumber": number,
            "TrackingNumber": number,
            "CountryCode": "FR",
            "PackageState": 3 if done else 2,
            "OrderTrackingDetails": rows,
        }
        return json_answer({"Item": item, "ResultCode": "0000", "ResultDesc": "Success"})
