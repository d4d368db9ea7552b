"""Canada Post Tracking, polled: `GET /vis/track/pin/{pin}/detail` (XML).

Documentation used: Canada Post developer program, "Get Tracking Details" (as karrio's
canadapost connector calls it): HTTP basic auth with the API key's user name and password,
`Accept: application/vnd.cpc.track-v2+xml`; answers `tracking-detail` (published verbatim in
the XML envelope as a `canada-post` raw event), or `messages/message` with code 004 "No Pin
History" for a number Canada Post does not know (404), E002 for bad credentials (401).
SUIVI_TRACKER_CANADA_POST__USERNAME / __PASSWORD.
"""

from __future__ import annotations

from urllib.parse import quote

import httpx

from suivi_tracker.adapters.sources.polled import Call, CarrierPoll
from suivi_tracker.domain.sources import TrackingRef

ACCEPT = "application/vnd.cpc.track-v2+xml"


class CanadaPostSource(CarrierPoll):
    name = "canada-post"
    label = "Canada Post"
    carriers = {"canada-post": "canada-post"}
    xml = True

    def call(self, ref: TrackingRef) -> Call:
        pin = quote(ref.tracking_number, safe="")
        return Call("GET", f"/vis/track/pin/{pin}/detail", headers={"Accept": ACCEPT})

    def found(self, answer: httpx.Response) -> bool:
        return answer.status_code != 404 and "<code>004</code>" not in answer.text
