"""Australia Post Shipping and Tracking API, polled: `GET /shipping/v1/track?tracking_ids=`.

Documentation used: Australia Post developer centre, "Track items" (as karrio's australiapost
connector calls it): HTTP basic auth with the API key and password, header `account-number`;
up to 10 ids a call (Suivi asks for one); answers `tracking_results[]` (published unchanged
as an `australia-post` raw event); an id Australia Post cannot show comes back with its own
`errors[]` (ESB-10001 "Invalid tracking ID") in a 200 answer: not found. 401/403 for the
credentials, 429 past the rate. SUIVI_TRACKER_AUSTRALIA_POST__API_KEY / __PASSWORD /
__ACCOUNT_NUMBER.
"""

from __future__ import annotations

import httpx

from suivi_tracker.adapters.sources.http import SourceHttp, json_body
from suivi_tracker.adapters.sources.polled import Call, CarrierPoll
from suivi_tracker.domain.sources import TrackingRef


class AustraliaPostSource(CarrierPoll):
    name = "australia-post"
    label = "Australia Post"
    carriers = {"australia-post": "australia-post"}

    def __init__(self, http: SourceHttp, account_number: str) -> None:
        super().__init__(http)
        self.account_number = account_number

    def call(self, ref: TrackingRef) -> Call:
        params = {"tracking_ids": ref.tracking_number}
        return Call("GET", "/shipping/v1/track", params, {"account-number": self.account_number})

    def found(self, answer: httpx.Response) -> bool:
        if answer.status_code != 200:
            return answer.status_code != 404
        results = json_body(answer).get("tracking_results") or [{}]
        return not all("errors" in r and "trackable_items" not in r for r in results)
