"""DHL Shipment Tracking - Unified, polled: `GET /track/shipments?trackingNumber=`.

Documentation used: DHL Developer Portal, "Shipment Tracking - Unified"
(https://developer.dhl.com/api-reference/shipment-tracking, OpenAPI
dpdhl_tracking-unified-api 1.x): header `DHL-API-Key`, query `trackingNumber`, optional
`service`, `recipientPostalCode` (some services, e.g. parcel-de, show the full history only
with it), `requesterCountryCode`, `language`; answer `{"shipments": [...]}`, published
unchanged as a `dhl` raw event (the normalizer's dhl module reads it). Errors are RFC 7807
problems (`title`, `status`, `detail`): 404 "No result found", 400 for bad parameters, 401 for
the key, 429 past the rate limit. Default plan: 250 calls a day and at most one call every 5
seconds (both configurable when DHL grants more).

DHL's "Shipment Tracking - Unified - Push" (subscriptions at
`POST /tracking/push/v1/subscription`, hook `uri` + `ApiKeyAuthentication`) is documented for
direct DHL customers only, and its public collections show only the account subscription body
(`type` Account, `accountID`), not a per-tracking-ID one: the tracker keeps DHL poll-only. An
operator who is a direct DHL customer can still create that account subscription once, with
`hook.authentication` = ApiKeyAuthentication, header `X-Suivi-Token` and ingest's
SUIVI_INGEST_DHL_TOKEN as token: its pushes then reach `/v1/webhooks/dhl` without the tracker.
"""

from __future__ import annotations

from suivi_tracker.adapters.sources.base import BaseSource
from suivi_tracker.adapters.sources.polled import read_answer
from suivi_tracker.domain.sources import Mode, Polled, TrackingRef


class DhlSource(BaseSource):
    name = "dhl"
    mode = Mode.POLL
    carriers = {"dhl": "dhl", "dhl-ecommerce": "dhl-ecommerce", "deutsche-post": "deutsche-post"}

    async def poll(self, ref: TrackingRef) -> Polled:
        self.code_of(ref)
        # No `service`: DHL finds the service itself, and a wrong guess would hide the parcel.
        params = {"trackingNumber": ref.tracking_number}
        if ref.postal_code:
            params["recipientPostalCode"] = ref.postal_code
        self.spend()
        answer = await self.http.request("GET", "/track/shipments", params=params)
        return read_answer("dhl", "DHL", answer)
