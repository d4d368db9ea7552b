"""FedEx Track API, polled: `POST /track/v1/trackingnumbers`.

Documentation used: FedEx Developer Portal, "Authorization API" (`POST /oauth/token`, form
`grant_type=client_credentials`, `client_id`, `client_secret`; answer `access_token`,
`expires_in` 3599 seconds) and "Track API" v1
(https://developer.fedex.com/api/en-us/catalog/track/v1/docs.html): body
`{"includeDetailedScans": true, "trackingInfo": [{"trackingNumberInfo": {"trackingNumber"},
"shipDateBegin", "shipDateEnd"}]}` (up to 30 numbers), headers `X-locale`, answer
`output.completeTrackResults[].trackResults[]`, published unchanged as a `fedex` raw event
(the normalizer's fedex module reads the API answer and the webhook alike). A number FedEx does
not know is a 200 whose track result carries `error.code` TRACKING.TRACKINGNUMBER.NOTFOUND;
400 answers `errors[]`. Rate limit (API Reference, "Rate limits"): 1,400 transactions per 10
seconds per project, 429 past it. The answer's `transactionId` (new on every call) is dropped
from the published body, so an unchanged track result gives an unchanged body.
"""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

from suivi_tracker.adapters.sources.base import BaseSource
from suivi_tracker.adapters.sources.http import json_body
from suivi_tracker.adapters.sources.polled import read_answer
from suivi_tracker.domain.sources import Mode, Polled, TrackingRef

NOT_FOUND = "TRACKING.TRACKINGNUMBER.NOTFOUND"


def _errors(body: Any) -> list[str]:
    codes: list[str] = []
    try:
        for complete in body["output"]["completeTrackResults"]:
            for result in complete.get("trackResults") or []:
                error = result.get("error")
                codes.append(str(error.get("code")) if isinstance(error, dict) else "")
    except (KeyError, TypeError, AttributeError):
        return []
    return codes


class FedExSource(BaseSource):
    name = "fedex"
    mode = Mode.POLL
    carriers = {"fedex": "fedex"}

    async def poll(self, ref: TrackingRef) -> Polled:
        self.code_of(ref)
        info: dict[str, Any] = {"trackingNumberInfo": {"trackingNumber": ref.tracking_number}}
        if ref.ship_date is not None:
            # FedEx reuses numbers: a window around the ship date picks the right shipment.
            info["shipDateBegin"] = (ref.ship_date - timedelta(days=7)).isoformat()
            info["shipDateEnd"] = (ref.ship_date + timedelta(days=30)).isoformat()
        answer = await self.http.request(
            "POST",
            "/track/v1/trackingnumbers",
            json={"includeDetailedScans": True, "trackingInfo": [info]},
            headers={"X-locale": "en_US"},
        )
        if answer.status_code == 200:
            body = json_body(answer)
            codes = _errors(body)
            found = not codes or any(code != NOT_FOUND for code in codes)
            if isinstance(body, dict):
                body.pop("transactionId", None)
                body.pop("customerTransactionId", None)
            content = json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()
            return Polled(provider="fedex", body=content, found=found)
        return read_answer("fedex", "FedEx", answer)
