"""Shippo tracking, pushed: `POST /tracks/` registers a tracking webhook for a number; Shippo
then POSTs `track_updated` to the account's webhook (ingest's `/v1/webhooks/shippo`).

Documentation used: Shippo API reference, "Tracking Status" / "Register a tracking webhook"
(https://docs.goshippo.com/shippoapi/public-api/tracks/): `POST https://api.goshippo.com/tracks/`
with `carrier` (Shippo's carrier token), `tracking_number` and optional `metadata`, header
`Authorization: ShippoToken <key>`; answer a Track object (`carrier`, `tracking_number`,
`tracking_status`, `tracking_history`). Registering twice is harmless. Webhooks ("Webhooks"
guide) are set per account with the `track_updated` event; Shippo has no call to stop tracking:
unregister does nothing. 429 past the rate limit (documented per endpoint and plan).
"""

from __future__ import annotations

from suivi_tracker.adapters.sources.base import BaseSource
from suivi_tracker.adapters.sources.errors import refuse
from suivi_tracker.adapters.sources.http import json_body
from suivi_tracker.domain.sources import Mode, Registered, TrackingRef

CARRIERS = {
    "usps": "usps",
    "ups": "ups",
    "fedex": "fedex",
    "dhl": "dhl_express",
    "dhl-ecommerce": "dhl_ecommerce",
    "laposte": "colissimo",
    "chronopost": "chronopost",
    "deutsche-post": "deutsche_post",
    "royal-mail": "royal_mail",
    "canada-post": "canada_post",
    "australia-post": "australia_post",
    "evri": "hermes_uk",
    "postnl": "postnl",
    "dpd": "dpd_uk",
    "gls": "gls_us",
    "ontrac": "ontrac",
    "lasership": "lasership",
    "purolator": "purolator",
}


class ShippoSource(BaseSource):
    name = "shippo"
    mode = Mode.PUSH
    carriers = CARRIERS

    async def register(self, ref: TrackingRef) -> Registered:
        body = {"carrier": self.code_of(ref), "tracking_number": ref.tracking_number}
        answer = await self.http.request("POST", "/tracks/", json=body)
        result = json_body(answer)
        if answer.status_code in (200, 201):
            return Registered(source_ref=None)
        raise refuse("Shippo", answer.status_code, result)
