"""AfterShip Tracking API, pushed: `POST /trackings` creates a tracking, `DELETE
/trackings/{id}` ends it; AfterShip POSTs each update to the account's webhook (ingest's
`/v1/webhooks/aftership`, `aftership-hmac-sha256`).

Documentation used: AfterShip Tracking API 2026-07 (https://www.aftership.com/docs/tracking/
2026-07, "API Quick Start", "Create a tracking", "Delete a tracking by ID", "Rate limit",
"Errors"): base `https://api.aftership.com/tracking/2026-07`, header `as-api-key`; the create
body carries `tracking_number`, `slug` and optional `tracking_postal_code`,
`tracking_ship_date` (YYYYMMDD), `destination_country_region` at the top level; answers
`{"meta": {"code", "message", "type"}, "data": {tracking}}` with `data.id`. `meta.code` 4003
"Tracking already exists" (400) is idempotent success here, 4004 not found on delete is too;
429 past 10 requests per second. Webhooks are set per account in AfterShip's admin. Slugs from
AfterShip's courier list.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from suivi_tracker.adapters.sources.base import BaseSource
from suivi_tracker.adapters.sources.errors import refuse
from suivi_tracker.adapters.sources.http import json_body
from suivi_tracker.domain.sources import Mode, Registered, Rejected, TrackingRef

ALREADY_EXISTS = 4003
NOT_FOUND = 4004

CARRIERS = {
    "usps": "usps",
    "ups": "ups",
    "fedex": "fedex",
    "dhl": "dhl",
    "dhl-ecommerce": "dhl-global-mail",
    "laposte": "la-poste-colissimo",
    "chronopost": "chronopost-france",
    "deutsche-post": "dhl-germany",  # DHL Paket parcels; `deutsch-post` is letter mail
    "royal-mail": "royal-mail",
    "canada-post": "canada-post",
    "australia-post": "australia-post",
    "japan-post": "japan-post",
    "china-post": "china-post",
    "china-ems": "china-ems",
    "cainiao": "cainiao",
    "evri": "hermes",
    "postnl": "postnl",
    "dpd": "dpd",
    "gls": "gls",
    "ontrac": "ontrac",
    "lasership": "lasership",
    "aramex": "aramex",
    "purolator": "purolator",
    # Issue 17: carriers without a public tracking API (Cainiao above, 4PX; docs/tracking.md)
    # or not polled by Suivi (Colis Privé), and the polled ones' fallback.
    "yunexpress": "yunexpress",
    "4px": "4px",
    "mondial-relay": "mondialrelay",
    "colis-prive": "colis-prive",
}


def _meta_code(body: Any) -> int | None:
    meta = body.get("meta") if isinstance(body, dict) else None
    code = meta.get("code") if isinstance(meta, dict) else None
    return code if isinstance(code, int) else None


class AfterShipSource(BaseSource):
    name = "aftership"
    mode = Mode.PUSH
    carriers = CARRIERS

    async def register(self, ref: TrackingRef) -> Registered:
        body: dict[str, Any] = {"tracking_number": ref.tracking_number, "slug": self.code_of(ref)}
        if ref.postal_code:
            body["tracking_postal_code"] = ref.postal_code
        if ref.ship_date:
            body["tracking_ship_date"] = ref.ship_date.strftime("%Y%m%d")
        if ref.country:
            body["destination_country_region"] = ref.country
        answer = await self.http.request("POST", "/trackings", json=body)
        result = json_body(answer)
        data = result.get("data") if isinstance(result, dict) else None
        tracking_id = data.get("id") if isinstance(data, dict) else None
        if answer.status_code in (200, 201) or _meta_code(result) == ALREADY_EXISTS:
            # An existing tracking's id comes back in `data` too (docs: "Errors", 4003).
            return Registered(source_ref=str(tracking_id) if tracking_id else None)
        raise refuse("AfterShip", answer.status_code, result)

    async def unregister(self, ref: TrackingRef) -> None:
        if not ref.source_ref:
            return
        answer = await self.http.request("DELETE", f"/trackings/{quote(ref.source_ref, safe='')}")
        if answer.status_code in (200, 404) or _meta_code(json_body(answer)) == NOT_FOUND:
            return
        raise Rejected(f"AfterShip refused the deletion (HTTP {answer.status_code})")
