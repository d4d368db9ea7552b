"""PostNL Shippingstatus v2, polled: `GET /shipment/v2/status/barcode/{barcode}?detail=true`.

Documentation used: PostNL developer portal, "Shippingstatus" (as PostNL's own SDK,
postnl/postnl-ecommerce-sdk-python, documents it): header `apikey`; `detail=true` adds the
status history the normalizer reads, `language=EN` the descriptions in English; answers
`CompleteStatus` (published unchanged as a `postnl` raw event), 404 with `Errors` for a
barcode PostNL does not know, 401 for the key, 429 past the rate. SUIVI_TRACKER_POSTNL__API_KEY.
"""

from __future__ import annotations

from urllib.parse import quote

from suivi_tracker.adapters.sources.polled import Call, CarrierPoll
from suivi_tracker.domain.sources import TrackingRef


class PostNLSource(CarrierPoll):
    name = "postnl"
    label = "PostNL"
    carriers = {"postnl": "postnl"}

    def call(self, ref: TrackingRef) -> Call:
        barcode = quote(ref.tracking_number, safe="")
        params = {"detail": "true", "language": "EN"}
        return Call("GET", f"/shipment/v2/status/barcode/{barcode}", params)
