"""USPS Tracking 3.0, polled: `GET /tracking/v3/tracking/{trackingNumber}?expand=DETAIL`.

Documentation used: USPS developer portal (https://developers.usps.com/trackingv3 and the
OpenAPI "Package Tracking and Notification" 3.x, as vendored by karrio's USPS connector):
OAuth 2 client credentials at `POST https://apis.usps.com/oauth2/v3/token` (JSON body
`grant_type`, `client_id`, `client_secret`; answer `access_token`, `expires_in` seconds,
about 8 hours), then `Authorization: Bearer`; the answer is a `TrackingDetails` object
(`trackingNumber`, `statusCategory`, `trackingEvents[]`) which is published unchanged as a
`usps` raw event (the normalizer's usps module reads that object). Errors: `{"apiVersion",
"error": {"code", "message", "errors": [...]}}`; 404 when USPS does not know the number,
400 for a malformed one, 401 for an expired token, 429 past the quota. The default quota of
the USPS APIs is 60 calls an hour per application (SUIVI_TRACKER_USPS__RATE).
"""

from __future__ import annotations

from urllib.parse import quote

from suivi_tracker.adapters.sources.base import BaseSource
from suivi_tracker.adapters.sources.polled import read_answer
from suivi_tracker.domain.sources import Mode, Polled, TrackingRef


class UspsSource(BaseSource):
    name = "usps"
    mode = Mode.POLL
    carriers = {"usps": "usps"}

    async def poll(self, ref: TrackingRef) -> Polled:
        self.code_of(ref)
        number = quote(ref.tracking_number, safe="")
        answer = await self.http.request(
            "GET", f"/tracking/v3/tracking/{number}", params={"expand": "DETAIL"}
        )
        return read_answer("usps", "USPS", answer)
