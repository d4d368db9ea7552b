"""La Poste Suivi v2 (Okapi), polled: `GET /suivi/v2/idships/{idship}` with `X-Okapi-Key`.

Documentation used: La Poste developer portal, API "Suivi" v2
(https://developer.laposte.fr/products/suivi/2/documentation, and its OpenAPI "Swagger SUIVI",
server https://api.laposte.fr/suivi/v2): header `X-Okapi-Key`, query `lang` (fr_FR, en_GB),
answers 200 (`returnCode` 200 with `shipment`), 207 (several idships), 400 (`returnCode` 400:
the number is not a La Poste one), 401 (key), 404 (`returnCode` 104 "not yet available" /
105 "unknown"), 429 and 5xx. The body is published unchanged as a `laposte` raw event: the
normalizer's laposte module reads exactly this shape (it was written from the same document).
Suivi v2 has no push and no unsubscribe. Colissimo and Chronopost numbers are answered too.
"""

from __future__ import annotations

from urllib.parse import quote

from suivi_tracker.adapters.sources.base import BaseSource
from suivi_tracker.adapters.sources.http import SourceHttp, json_body
from suivi_tracker.domain.sources import Mode, Polled, Rejected, TrackingRef, Unavailable

# returnCode values La Poste documents for an object it cannot show (yet).
NOT_FOUND_CODES = frozenset({104, 105})


class LaPosteSource(BaseSource):
    name = "laposte"
    mode = Mode.POLL
    carriers = {"laposte": "laposte", "chronopost": "chronopost"}

    def __init__(self, http: SourceHttp, *, lang: str = "fr_FR") -> None:
        super().__init__(http)
        self.lang = lang

    async def poll(self, ref: TrackingRef) -> Polled:
        self.code_of(ref)
        answer = await self.http.request(
            "GET", f"/idships/{quote(ref.tracking_number, safe='')}", params={"lang": self.lang}
        )
        body = json_body(answer)
        code = body.get("returnCode") if isinstance(body, dict) else None
        if answer.status_code in (200, 207):
            return Polled(provider="laposte", body=answer.content)
        if answer.status_code == 404 or code in NOT_FOUND_CODES:
            return Polled(provider="laposte", body=answer.content, found=False)
        if answer.status_code == 400:
            message = body.get("returnMessage") if isinstance(body, dict) else None
            raise Rejected(f"La Poste refused the number: {message or 'invalid idship'}")
        raise Unavailable(f"La Poste answered HTTP {answer.status_code}")
