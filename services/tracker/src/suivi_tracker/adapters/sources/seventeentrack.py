"""17TRACK API v2.2, pushed: `register` / `stoptrack` / `getquota`; 17TRACK then POSTs
TRACKING_UPDATED to the account's webhook (ingest's `/v1/webhooks/17track`, `sign` header).

Documentation used: 17TRACK API v2.2 (https://api.17track.net/en/doc?version=v2.2): base
`https://api.17track.net/track/v2.2`, header `17token` (the API key, which also keys the
webhook `sign`), every call a POST of a JSON array of at most 40 numbers
(`[{"number", "carrier"}]`, carrier = 17TRACK's numeric code, optional; `param` for carriers
that need a postal code), answer `{"code": 0, "data": {"accepted": [...], "rejected":
[{"number", "error": {"code", "message"}}]}}`. Rejection codes: -18019901 "already
registered" (idempotent success here), -18019902 "not registered" on stoptrack (nothing to
stop), -18019908 "quota spent". `getquota` answers `quota_total`, `quota_used`,
`quota_remain`. Rate limit: 3 requests per second. Numbers consume quota when registered;
the webhook URL is set once in the 17TRACK dashboard.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from suivi_tracker.adapters.sources.base import BaseSource
from suivi_tracker.adapters.sources.http import SourceHttp, json_body
from suivi_tracker.domain.sources import (
    Mode,
    NeedsInfo,
    RateLimited,
    Registered,
    Rejected,
    TrackingRef,
    Unavailable,
)

BATCH = 40  # numbers per call, documented maximum
ALREADY_REGISTERED = -18019901
NOT_REGISTERED = -18019902
QUOTA_SPENT = -18019908
NEEDS_PARAM = -18019909  # "additional parameters required" (postal code for some carriers)

CARRIERS = {  # 17TRACK carrier list (apicarrier.all.json)
    "usps": 21051,
    "dhl": 100001,
    "ups": 100002,
    "fedex": 100003,
    "laposte": 6051,
    "cainiao": 190271,
    "china-post": 3011,
    "royal-mail": 11031,
    "australia-post": 1151,
}


class SeventeenTrackSource(BaseSource):
    name = "17track"
    mode = Mode.PUSH
    carriers = {slug: str(code) for slug, code in CARRIERS.items()}

    def __init__(
        self,
        http: SourceHttp,
        *,
        quota_ttl_seconds: float = 300.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__(http)
        # getquota is a call like any other (3/s): its answer is kept a while and counted down
        # locally as registrations are accepted.
        self._quota_ttl = quota_ttl_seconds
        self._clock = clock
        self._quota: int | None = None
        self._quota_at = 0.0

    def _item(self, ref: TrackingRef) -> dict[str, Any]:
        item: dict[str, Any] = {"number": ref.tracking_number, "carrier": CARRIERS[ref.carrier]}
        if ref.postal_code:
            item["param"] = ref.postal_code
        return item

    async def _call(self, path: str, items: list[dict[str, Any]]) -> dict[str, Any]:
        answer = await self.http.request("POST", path, json=items)
        body = json_body(answer)
        if answer.status_code != 200 or not isinstance(body, dict) or body.get("code") != 0:
            raise Unavailable(f"17TRACK {path} answered HTTP {answer.status_code}")
        data = body.get("data")
        return data if isinstance(data, dict) else {}

    async def register(self, ref: TrackingRef) -> Registered:
        (error,) = await self.register_many([ref])
        if error is not None:
            raise error
        return Registered(source_ref=ref.tracking_number)

    async def register_many(self, refs: list[TrackingRef]) -> list[Exception | None]:
        """Register up to 40 at once (one call); one outcome per ref, None when accepted."""
        if len(refs) > BATCH:
            raise ValueError(f"17TRACK registers at most {BATCH} numbers a call")
        for ref in refs:
            self.code_of(ref)
        data = await self._call("/register", [self._item(ref) for ref in refs])
        refused = {
            str(item.get("number")): item.get("error") or {}
            for item in data.get("rejected") or []
            if isinstance(item, dict)
        }
        if self._quota is not None:
            self._quota = max(0, self._quota - len(data.get("accepted") or []))
        return [self._outcome(refused.get(ref.tracking_number)) for ref in refs]

    @staticmethod
    def _outcome(error: Any) -> Exception | None:
        if error is None:
            return None
        code = error.get("code") if isinstance(error, dict) else None
        message = error.get("message") if isinstance(error, dict) else None
        if code == ALREADY_REGISTERED:
            return None
        if code == QUOTA_SPENT:
            return RateLimited(retry_after=None)
        if code == NEEDS_PARAM:
            return NeedsInfo(("postal_code",))
        return Rejected(f"17TRACK refused the number: {code} {message}")

    async def unregister(self, ref: TrackingRef) -> None:
        data = await self._call("/stoptrack", [{"number": ref.tracking_number}])
        for item in data.get("rejected") or []:
            error = item.get("error") if isinstance(item, dict) else None
            code = error.get("code") if isinstance(error, dict) else None
            if code != NOT_REGISTERED:
                raise Rejected(f"17TRACK refused to stop tracking: {code}")

    async def quota_left(self) -> int | None:
        if self._quota is None or self._clock() - self._quota_at >= self._quota_ttl:
            data = await self._call("/getquota", [])
            remain = data.get("quota_remain")
            self._quota = remain if isinstance(remain, int) else None
            self._quota_at = self._clock()
        return self._quota
