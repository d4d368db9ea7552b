"""Mondial Relay web service, polled: `WSI2_TracingColisDetaille` (SOAP 1.1 on Web_Services.asmx).

Documentation used: Mondial Relay's web service guide: parameters `Enseigne` (the brand code),
`Expedition` (the 8-digit shipment number), `Langue`, and `Security` = upper-case hex MD5 of
the parameters' values in order followed by the brand's private key; the answer's `STAT`
(table in PrestaShop's module, `mondialrelay/errorCode.php`): 80-83 a parcel Mondial Relay
tracks (published verbatim in the XML envelope as a `mondial-relay` raw event), 94 not a known
parcel, 24 an invalid number and 97 a wrong key (both refused for good), 98/99 the service
unavailable. SUIVI_TRACKER_MONDIAL_RELAY__BRAND / __PRIVATE_KEY.
"""

from __future__ import annotations

import hashlib
import re
from xml.sax.saxutils import escape

import httpx

from suivi_tracker.adapters.sources.http import SourceHttp
from suivi_tracker.adapters.sources.polled import Call, CarrierPoll
from suivi_tracker.domain.sources import Rejected, TrackingRef, Unavailable

ACTION = "http://www.mondialrelay.fr/webservice/WSI2_TracingColisDetaille"
_STAT = re.compile(r"<STAT>(\d+)</STAT>")
TRACKED, UNKNOWN, BAD_KEY = {"80", "81", "82", "83"}, {"94"}, {"97"}


def security(*values: str, private_key: str) -> str:
    """Mondial Relay's request signature: MD5 of the values then the key, upper-case hex."""
    return (
        hashlib.md5("".join((*values, private_key)).encode(), usedforsecurity=False)
        .hexdigest()
        .upper()
    )


class MondialRelaySource(CarrierPoll):
    name = "mondial-relay"
    label = "Mondial Relay"
    carriers = {"mondial-relay": "mondial-relay"}
    xml = True

    def __init__(self, http: SourceHttp, brand: str, private_key: str, lang: str = "FR"):
        super().__init__(http)
        self.brand, self._key, self.lang = brand, private_key, lang

    def call(self, ref: TrackingRef) -> Call:
        number = ref.tracking_number
        values = {"Enseigne": self.brand, "Expedition": number, "Langue": self.lang}
        values["Security"] = security(*values.values(), private_key=self._key)
        fields = "".join(f"<{k}>{escape(v)}</{k}>" for k, v in values.items())
        body = (
            '<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body>'
            '<WSI2_TracingColisDetaille xmlns="http://www.mondialrelay.fr/webservice/">'
            f"{fields}</WSI2_TracingColisDetaille></soap:Body></soap:Envelope>"
        )
        headers = {"Content-Type": "text/xml; charset=utf-8", "SOAPAction": f'"{ACTION}"'}
        return Call("POST", "/Web_Services.asmx", headers=headers, content=body.encode())

    def found(self, answer: httpx.Response) -> bool:
        stat = _STAT.search(answer.text)
        code = stat[1] if stat else None
        if code in TRACKED:
            return True
        if code in UNKNOWN:
            return False
        if code in BAD_KEY:
            raise Rejected("Mondial Relay refused the brand's key (STAT 97)")
        if code is not None and answer.status_code < 500 and code not in {"98", "99"}:
            raise Rejected(f"Mondial Relay refused the request (STAT {code})")
        raise Unavailable(f"Mondial Relay answered HTTP {answer.status_code}, STAT {code}")
