"""UPS, polled through the Track API or pushed through a Track Alert subscription.

Documentation used: UPS developer portal and UPS's OpenAPI files (github.com/UPS-API/
api-documentation: `OAuthClientCredentials.yaml`, `Tracking.yaml`, `UPSTrackAlert.yaml`):
- OAuth: `POST /security/v1/oauth/token`, HTTP basic with client id and secret, form
  `grant_type=client_credentials`, optional `x-merchant-id`; answer `access_token` and
  `expires_in` (a string of seconds, 14399).
- Track API: `GET /api/track/v1/details/{inquiryNumber}?locale=en_US&returnSignature=false`
  with `transId` (unique, ≤ 32 characters) and `transactionSrc`; answer
  `{"trackResponse": {"shipment": [{"package": [...]}]}}`, published unchanged as a `ups` raw
  event (the normalizer's ups module reads both this and Track Alert pushes). A number UPS does
  not know: 404 with `response.errors[]` (code TV1002), or a shipment carrying only
  `warnings[]` (TW0001 "Tracking Information Not Found").
- Track Alert: `POST /api/track/v1/subscription/standard/package` with `locale`,
  `countryCode`, `trackingNumberList` and `destination {url, credentialType, credential}`;
  answer `validTrackingNumbers[]` / `invalidTrackingNumbers[]`. UPS then POSTs each event to
  the URL with the chosen credential in the `credential` header, which ingest checks
  (SUIVI_INGEST_UPS_CREDENTIAL). A subscription lasts 14 days and has no documented delete.
"""

from __future__ import annotations

import uuid
from typing import Any
from urllib.parse import quote

from suivi_tracker.adapters.sources.base import BaseSource
from suivi_tracker.adapters.sources.errors import refuse
from suivi_tracker.adapters.sources.http import SourceHttp, json_body
from suivi_tracker.adapters.sources.polled import read_answer
from suivi_tracker.domain.sources import (
    Mode,
    Polled,
    Registered,
    Rejected,
    TrackingRef,
)


def _headers() -> dict[str, str]:
    return {"transId": uuid.uuid4().hex, "transactionSrc": "suivi"}


def not_found(body: Any) -> bool:
    """A 200 answer whose shipments carry warnings and no package."""
    try:
        shipments = body["trackResponse"]["shipment"]
    except (KeyError, TypeError):
        return False
    return isinstance(shipments, list) and all(
        isinstance(s, dict) and not s.get("package") and s.get("warnings") for s in shipments
    )


class UpsSource(BaseSource):
    name = "ups"
    mode = Mode.POLL
    carriers = {"ups": "ups"}

    async def poll(self, ref: TrackingRef) -> Polled:
        self.code_of(ref)
        answer = await self.http.request(
            "GET",
            f"/api/track/v1/details/{quote(ref.tracking_number, safe='')}",
            params={"locale": "en_US", "returnSignature": "false"},
            headers=_headers(),
        )
        if answer.status_code == 200:
            found = not not_found(json_body(answer))
            return Polled(provider="ups", body=answer.content, found=found)
        return read_answer("ups", "UPS", answer)


class UpsAlertSource(BaseSource):
    name = "ups-alert"
    mode = Mode.PUSH
    carriers = {"ups": "ups"}

    def __init__(self, http: SourceHttp, destination: str, credential: str) -> None:
        super().__init__(http)
        self.destination = destination
        self._credential = credential

    async def register(self, ref: TrackingRef) -> Registered:
        self.code_of(ref)
        body = {
            "locale": "en_US",
            "countryCode": (ref.country or "US").upper(),
            "trackingNumberList": [ref.tracking_number],
            "destination": {
                "url": self.destination,
                "credentialType": "Bearer",
                "credential": self._credential,
            },
        }
        answer = await self.http.request(
            "POST",
            "/api/track/v1/subscription/standard/package",
            json=body,
            headers=_headers(),
        )
        if 400 <= answer.status_code < 500:
            raise refuse("UPS Track Alert", answer.status_code, json_body(answer))
        result = json_body(answer)
        valid = result.get("validTrackingNumbers") if isinstance(result, dict) else None
        if isinstance(valid, list) and ref.tracking_number in valid:
            return Registered(source_ref=None)
        raise Rejected("UPS Track Alert did not accept the tracking number")
