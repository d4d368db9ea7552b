"""Royal Mail Tracking API v2, polled: `GET /mailpieces/v2/{mailPieceId}/events`.

Documentation used: Royal Mail developer portal ("Tracking API" v2 on IBM API Connect), as
karrio's royalmail connector calls it: headers `X-IBM-Client-Id`, `X-IBM-Client-Secret` and
`X-Accept-RMG-Terms: yes` (without it: 400 E0004); answers `mailPieces` (published unchanged
as a `royal-mail` raw event), 404 for an item Royal Mail does not know, 401 for the client
credentials, 429 past the plan's rate. SUIVI_TRACKER_ROYAL_MAIL__CLIENT_ID / __CLIENT_SECRET.
"""

from __future__ import annotations

from urllib.parse import quote

from suivi_tracker.adapters.sources.polled import Call, CarrierPoll
from suivi_tracker.domain.sources import TrackingRef


class RoyalMailSource(CarrierPoll):
    name = "royal-mail"
    label = "Royal Mail"
    carriers = {"royal-mail": "royal-mail"}

    def call(self, ref: TrackingRef) -> Call:
        path = f"/mailpieces/v2/{quote(ref.tracking_number, safe='')}/events"
        return Call("GET", path, headers={"X-Accept-RMG-Terms": "yes"})
