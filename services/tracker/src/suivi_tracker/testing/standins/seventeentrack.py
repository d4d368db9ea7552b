"""17TRACK v2.2 stand-in: `register`, `stoptrack`, `getquota` (`17token`, ≤ 40 numbers a
call, a quota), then TRACKING_UPDATED webhooks to ingest signed `sign: sha256(body + "/" +
key)`."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from suivi_tracker.testing.standins.journeys import Journeys, Step, local
from suivi_tracker.testing.standins.kit import PushStandin, WebhookSender, same

# stage → (status, sub_status, stage)
CODES = {
    "info_received": ("InfoReceived", "InfoReceived", "InfoReceived"),
    "accepted": ("InTransit", "InTransit_PickedUp", "PickedUp"),
    "in_transit": ("InTransit", "InTransit_Other", "Departure"),
    "out_for_delivery": ("OutForDelivery", "OutForDelivery_Other", "OutForDelivery"),
    "failed_attempt": ("DeliveryFailure", "DeliveryFailure_Other", "FailedAttempt"),
    "available_for_pickup": (
        "AvailableForPickup",
        "AvailableForPickup_Other",
        "AvailableForPickup",
    ),
    "delivered": ("Delivered", "Delivered_Other", "Delivered"),
    "exception": ("Exception", "Exception_Other", None),
    "returned": ("Exception", "Exception_Returned", "Returned"),
}
MAX_BATCH = 40


def signer(api_key: str) -> Any:
    def sign(raw: bytes) -> dict[str, str]:
        return {"sign": hashlib.sha256(raw + b"/" + api_key.encode()).hexdigest()}

    return sign


def _error(code: int, message: str) -> dict[str, Any]:
    return {"code": code, "message": message}


# A batch item's outcome: (taken, its line in `accepted`, or in `rejected` with its error).
Outcome = tuple[bool, dict[str, Any]]


def _refused(number: str, code: int, message: str) -> Outcome:
    return False, {"number": number, "error": _error(code, message)}


class SeventeenTrackStandin(PushStandin):
    name = "17track"

    def __init__(
        self, journeys: Journeys, api_key: str, sender: WebhookSender, quota: int = 100
    ) -> None:
        super().__init__(journeys, sender)
        self.api_key = api_key
        self.quota_total = quota
        self.quota_used = 0

    def routes(self) -> list[BaseRoute]:
        return [
            *super().routes(),
            Route("/track/v2.2/register", self.register_call, methods=["POST"]),
            Route("/track/v2.2/stoptrack", self.stoptrack, methods=["POST"]),
            Route("/track/v2.2/getquota", self.getquota, methods=["POST"]),
        ]

    def webhook(
        self, number: str, facts: dict[str, Any], due: list[tuple[datetime, Step]]
    ) -> dict[str, Any]:
        events = []
        for when, step in reversed(due):
            _, sub, stage = CODES[step.stage]
            wall = local(when, step.country)
            address = {
                "country": step.country,
                "state": None,
                "city": step.city,
                "street": None,
                "postal_code": step.postal_code,
                "coordinates": {"longitude": None, "latitude": None},
            }
            events.append(
                {
                    "time_iso": wall.isoformat(timespec="seconds"),
                    "time_utc": when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
                    "time_raw": {
                        "date": wall.date().isoformat(),
                        "time": wall.strftime("%H:%M:%S"),
                        "timezone": wall.strftime("%z")[:3] + ":" + wall.strftime("%z")[3:],
                    },
                    "description": step.label or sub,
                    "location": step.city,
                    "stage": stage,
                    "sub_status": sub,
                    "address": address,
                }
            )
        status, sub, _ = CODES[due[-1][1].stage] if due else ("NotFound", "NotFound_Other", None)
        carrier = facts["carrier"]
        provider = {
            "provider": {
                "key": carrier,
                "name": None,
                "alias": None,
                "tel": None,
                "homepage": None,
                "country": None,
            },
            "service_type": None,
            "latest_sync_status": "Success",
            "latest_sync_time": None,
            "events_hash": 0,
            "events": events,
        }
        track_info: dict[str, Any] = {
            "latest_status": {"status": status, "sub_status": sub, "sub_status_descr": None},
            "latest_event": events[0] if events else None,
            "time_metrics": {"estimated_delivery_date": {"source": None, "from": None, "to": None}},
            "milestone": [],
            "tracking": {"providers_hash": 0, "providers": [provider]},
        }
        return {
            "event": "TRACKING_UPDATED",
            "data": {
                "number": number,
                "carrier": carrier,
                "param": None,
                "tag": None,
                "track_info": track_info,
            },
        }

    async def _items(self, request: Request) -> list[dict[str, Any]] | Response:
        if not same(request.headers.get("17token"), self.api_key):
            return JSONResponse(
                {"code": 401, "data": {"errors": [_error(-18010002, "Invalid security key.")]}}
            )
        if (fault := self.guard(request)) is not None:
            return fault
        items = await request.json()
        if not isinstance(items, list) or len(items) > MAX_BATCH:
            return JSONResponse(
                {
                    "code": 0,
                    "data": {
                        "errors": [_error(-18010013, "Submitted numbers exceed the limit of 40.")]
                    },
                }
            )
        return items

    async def _batch(
        self, request: Request, one: Callable[[str, dict[str, Any]], Outcome]
    ) -> Response:
        """A batch call: each item's number taken or refused by `one`, in the batch's order."""
        items = await self._items(request)
        if isinstance(items, Response):
            return items
        accepted: list[dict[str, Any]] = []
        rejected: list[dict[str, Any]] = []
        for item in items:
            taken, line = one(str(item.get("number") or ""), item)
            (accepted if taken else rejected).append(line)
        return JSONResponse({"code": 0, "data": {"accepted": accepted, "rejected": rejected}})

    async def register_call(self, request: Request) -> Response:
        return await self._batch(request, self._register_one)

    def _register_one(self, number: str, item: dict[str, Any]) -> Outcome:
        if number in self.registered:
            return _refused(
                number, -18019901,
                f"The tracking number '{number}' has been registered, "
                "don't need to repeat registration.",
            )  # fmt: skip
        if not 5 <= len(number) <= 50:
            return _refused(number, -18010012, f"The format of '{number}' is invalid.")
        if self.quota_used >= self.quota_total:
            return _refused(number, -18019908, "Quota is not enough.")
        self.quota_used += 1
        carrier = int(item.get("carrier") or 0)
        self.register(number, {"carrier": carrier})
        return True, {"origin": 1, "number": number, "carrier": carrier}

    async def stoptrack(self, request: Request) -> Response:
        return await self._batch(request, self._stop_one)

    def _stop_one(self, number: str, item: dict[str, Any]) -> Outcome:
        if self.stop(number):
            return True, {"number": number}
        message = f"The tracking number '{number}' does not register, please register first."
        return _refused(number, -18019902, message)

    async def getquota(self, request: Request) -> Response:
        items = await self._items(request)
        if isinstance(items, Response):
            return items
        left = self.quota_total - self.quota_used
        data = {
            "quota_total": self.quota_total,
            "quota_used": self.quota_used,
            "quota_remain": left,
            "today_used": self.quota_used,
            "max_track_daily": self.quota_total,
        }
        return JSONResponse({"code": 0, "data": data})
