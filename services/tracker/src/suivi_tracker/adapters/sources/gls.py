"""GLS track and trace, polled: `GET …/rstt001?match=<parcel number>`.

Documentation used: GLS's track and trace for customers (the `rstt001` service, as open-source
clients call it; GLS gives contract customers an authenticated base URL): HTTP basic auth with
the customer's user and password; answers `tuStatus[]` (published unchanged as a `gls` raw
event), 404 with `exceptionText` for a parcel GLS does not know, 401 for the credentials.
SUIVI_TRACKER_GLS__USERNAME / __PASSWORD / __BASE_URL (the contract's).
"""

from __future__ import annotations

from suivi_tracker.adapters.sources.polled import Call, CarrierPoll
from suivi_tracker.domain.sources import TrackingRef


class GlsSource(CarrierPoll):
    name = "gls"
    label = "GLS"
    carriers = {"gls": "gls"}

    def call(self, ref: TrackingRef) -> Call:
        return Call("GET", "/rstt001", {"match": ref.tracking_number})
