"""YunExpress tracking, polled: `GET /api/Tracking/GetTrackInfo?OrderNumber=`.

Documentation used: YunExpress's customer API (OMS API): `Authorization: Basic` of
base64("<customer code>&<API secret>"); answers `ResultCode` "0000" with `Item` (published
unchanged as a `yunexpress` raw event), another `ResultCode` without `Item` for a waybill
YunExpress does not know; 401 for the credentials. SUIVI_TRACKER_YUNEXPRESS__CUSTOMER_CODE /
__API_SECRET.
"""

from __future__ import annotations

import httpx

from suivi_tracker.adapters.sources.http import json_body
from suivi_tracker.adapters.sources.polled import Call, CarrierPoll
from suivi_tracker.domain.sources import TrackingRef


class YunExpressSource(CarrierPoll):
    name = "yunexpress"
    label = "YunExpress"
    carriers = {"yunexpress": "yunexpress"}

    def call(self, ref: TrackingRef) -> Call:
        return Call("GET", "/api/Tracking/GetTrackInfo", {"OrderNumber": ref.tracking_number})

    def found(self, answer: httpx.Response) -> bool:
        if answer.status_code != 200:
            return answer.status_code != 404
        body = json_body(answer)
        return isinstance(body, dict) and body.get("Item") is not None
