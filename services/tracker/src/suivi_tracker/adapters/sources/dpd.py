"""DPD web services, polled: LoginService `getAuth` once a day, then ParcelLifeCycleService
`getTrackingData` (SOAP 1.1) per parcel.

Documentation used: DPD's web services for customers (LoginService 2.1: `delisId`, `password`,
`messageLanguage` → `authToken`, valid for a day; ParcelLifeCycleService 2.0:
`getTrackingData(parcelLabelNumber)` with an `authentication` SOAP header of `delisId`,
`authToken`, `messageLanguage`), as karrio's dpd connector calls them. Answers:
`getTrackingDataResponse/trackingresult` (published verbatim in the XML envelope as a `dpd` raw
event); a parcel DPD does not know has no `statusInfo`; a SOAP fault (HTTP 500) with
DELICOM_ERR_AUTHENTICATION when the token expired: a new token is fetched once, a second
refusal is a bad login. SUIVI_TRACKER_DPD__DELIS_ID / __PASSWORD.
"""

from __future__ import annotations

import asyncio
import re
from xml.sax.saxutils import escape

import httpx

from suivi_tracker.adapters.sources.http import SourceHttp
from suivi_tracker.adapters.sources.polled import Call, CarrierPoll
from suivi_tracker.domain.sources import Polled, Rejected, TrackingRef, Unavailable

LOGIN = "/soap/services/LoginService/V2_1"
TRACKING = "/soap/services/ParcelLifeCycleService/V2_0"
_SOAP = {"Content-Type": "text/xml; charset=utf-8", "SOAPAction": '""'}
_ENV = (
    '<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" '
    'xmlns:auth="http://dpd.com/common/service/types/Authentication/2.0" '
    'xmlns:login="http://dpd.com/common/service/types/LoginService/2.1" '
    'xmlns:plc="http://dpd.com/common/service/types/ParcelLifeCycleService/2.0">'
    "<soapenv:Header>{header}</soapenv:Header><soapenv:Body>{body}</soapenv:Body>"
    "</soapenv:Envelope>"
)
_TOKEN = re.compile(r"<authToken>([^<]+)</authToken>")
AUTH_FAULT = "DELICOM_ERR_AUTHENTICATION"
_FAULT = frozenset({500})


class _ExpiredTokenError(Exception):
    """DPD refused the session token: log in again once."""


class DpdSource(CarrierPoll):
    name = "dpd"
    label = "DPD"
    carriers = {"dpd": "dpd"}
    xml = True

    def __init__(self, http: SourceHttp, delis_id: str, password: str, lang: str = "en_EN"):
        super().__init__(http)
        self.delis_id, self._password, self.lang = delis_id, password, lang
        self._token: str | None = None
        self._lock = asyncio.Lock()
        self.logins = 0  # getAuth calls made (tests and metrics)

    def call(self, ref: TrackingRef) -> Call:
        body = (
            "<plc:getTrackingData><parcelLabelNumber>"
            f"{escape(ref.tracking_number)}</parcelLabelNumber></plc:getTrackingData>"
        )
        return Call("POST", TRACKING, headers=_SOAP, content=body.encode(), passthrough=_FAULT)

    async def prepared(self, call: Call) -> Call:
        token = await self._session()
        header = (
            f"<auth:authentication><delisId>{escape(self.delis_id)}</delisId>"
            f"<authToken>{escape(token)}</authToken>"
            f"<messageLanguage>{self.lang}</messageLanguage></auth:authentication>"
        )
        envelope = _ENV.format(header=header, body=(call.content or b"").decode())
        return Call(call.method, call.path, None, call.headers, envelope.encode(), _FAULT)

    def found(self, answer: httpx.Response) -> bool:
        if answer.status_code == 500:
            if AUTH_FAULT in answer.text:
                raise _ExpiredTokenError
            raise Unavailable("DPD answered a SOAP fault (HTTP 500)")
        return answer.status_code != 404 and "<statusInfo>" in answer.text

    async def poll(self, ref: TrackingRef) -> Polled:
        try:
            return await super().poll(ref)
        except _ExpiredTokenError:
            self._token = None  # a token past its day: one new login, then the same call
        try:
            return await super().poll(ref)
        except _ExpiredTokenError:
            raise Rejected("DPD refused a fresh session token") from None

    async def _session(self) -> str:
        async with self._lock:
            if self._token is None:
                self._token = await self._login()
            return self._token

    async def _login(self) -> str:
        body = (
            f"<login:getAuth><delisId>{escape(self.delis_id)}</delisId>"
            f"<password>{escape(self._password)}</password>"
            f"<messageLanguage>{self.lang}</messageLanguage></login:getAuth>"
        )
        envelope = _ENV.format(header="", body=body).encode()
        answer = await self.http.request(
            "POST", LOGIN, headers=_SOAP, content=envelope, passthrough=_FAULT
        )
        self.logins += 1
        token = _TOKEN.search(answer.text)
        if token is None:
            if AUTH_FAULT in answer.text or answer.status_code < 500:
                raise Rejected("DPD refused the login (delisId and password)")
            raise Unavailable(f"DPD login answered HTTP {answer.status_code}")
        return token[1]
