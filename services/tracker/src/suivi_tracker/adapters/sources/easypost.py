"""EasyPost trackers, pushed: `POST /v2/trackers` creates a tracker; EasyPost then POSTs its
`tracker.created` / `tracker.updated` Events to the account's webhook (ingest's
`/v1/webhooks/easypost`, signed `X-Hmac-Signature` with the webhook secret).

Documentation used: EasyPost API reference, "Trackers" (https://docs.easypost.com/docs/trackers):
`POST https://api.easypost.com/v2/trackers` with `{"tracker": {"tracking_code", "carrier"}}`,
HTTP basic authentication with the API key as user name and an empty password, answer a
Tracker object (`id` `trk_…`); creating a tracker for a number that already has one returns
the existing tracker (idempotent). "Webhooks" (https://docs.easypost.com/docs/webhooks):
webhooks are per account (`POST /v2/webhooks` with `url` and `webhook_secret`), not per
tracker, so the destination is configured once in EasyPost's dashboard. Errors: `{"error":
{"code", "message", "errors"}}`, 422 for an invalid tracking code, 429 with `Retry-After`
("Rate Limiting" guide). EasyPost has no call to delete a tracker: unregister does nothing and
its pushes stop when the tracker finalizes. Carrier names are those of EasyPost's carrier list
and of the python client's recorded cassettes (`USPS`, `UPS`, `FedEx`, `DHLExpress`, …).
"""

from __future__ import annotations

from suivi_tracker.adapters.sources.base import BaseSource
from suivi_tracker.adapters.sources.http import json_body
from suivi_tracker.domain.sources import Mode, Registered, Rejected, TrackingRef

CARRIERS = {
    "usps": "USPS",
    "ups": "UPS",
    "fedex": "FedEx",
    "dhl": "DHLExpress",
    "dhl-ecommerce": "DhlEcs",
    "canada-post": "CanadaPost",
    "royal-mail": "RoyalMail",
    "australia-post": "AustraliaPost",
    "deutsche-post": "DeutschePost",
    "laposte": "LaPoste",
    "chronopost": "Chronopost",
    "ontrac": "OnTrac",
    "lasership": "LaserShip",
    "purolator": "Purolator",
    "evri": "Evri",
    "postnl": "PostNL",
    "dpd": "DPD",
    "gls": "GLS",
}


class EasyPostSource(BaseSource):
    name = "easypost"
    mode = Mode.PUSH
    carriers = CARRIERS

    async def register(self, ref: TrackingRef) -> Registered:
        tracker = {"tracking_code": ref.tracking_number, "carrier": self.code_of(ref)}
        answer = await self.http.request("POST", "/trackers", json={"tracker": tracker})
        body = json_body(answer)
        if answer.status_code in (200, 201) and isinstance(body, dict):
            return Registered(source_ref=str(body.get("id") or "") or None)
        error = body.get("error") if isinstance(body, dict) else None
        message = error.get("message") if isinstance(error, dict) else None
        raise Rejected(f"EasyPost refused the tracker (HTTP {answer.status_code}): {message}")
