"""What the routes share, as Annotated dependencies: the context and the calling merchant."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any

import asyncpg
from fastapi import Depends, Request
from fastapi.responses import JSONResponse

from suivi_infra.merchants import KeyLookup
from suivi_tracker.adapters.legs_out import LegPublisher
from suivi_tracker.api.models import (
    Destination,
    OrderLink,
    TrackingOut,
    candidates_of,
)
from suivi_tracker.domain.sources import Source
from suivi_tracker.handlers.start import StartTracking
from suivi_tracker.metrics import TrackerMetrics

Clock = Callable[[], datetime]


@dataclass(frozen=True, slots=True)
class ApiContext:
    pool: asyncpg.Pool
    starter: StartTracking
    merchants: KeyLookup  # merchants.v1 then the environment (or the environment only)
    metrics: TrackerMetrics
    sources: Mapping[str, Source]
    clock: Clock
    call_timeout_seconds: float = 10.0
    legs_out: LegPublisher | None = None  # tracking.legs.v1 (the legs API's hand-offs)


class ApiError(Exception):
    """Answered as `{"error": code, "detail": …}` with `status`."""

    def __init__(self, status: int, code: str, detail: str, headers: dict[str, str] | None = None):
        super().__init__(detail)
        self.status, self.code, self.detail, self.headers = status, code, detail, headers


def error_response(
    status: int, code: str, detail: str, headers: dict[str, str] | None = None
) -> JSONResponse:
    merged = {"Cache-Control": "no-store", **(headers or {})}
    return JSONResponse({"error": code, "detail": detail}, status_code=status, headers=merged)


def context(request: Request) -> ApiContext:
    ctx: ApiContext = request.app.state.context
    return ctx


ContextDep = Annotated[ApiContext, Depends(context)]


def merchant(request: Request, ctx: ContextDep) -> str:
    scheme, _, key = request.headers.get("authorization", "").partition(" ")
    found = ctx.merchants.merchant_for(key.strip()) if scheme.lower() == "bearer" else None
    if found is None:
        raise ApiError(
            401, "unauthorized", "a merchant API key is required: Authorization: Bearer <key>",
            {"WWW-Authenticate": "Bearer"},
        )  # fmt: skip
    return found


MerchantDep = Annotated[str, Depends(merchant)]


def tracking_out(row: Mapping[str, Any], orders: list[OrderLink]) -> TrackingOut:
    candidates = row["candidates"]
    if isinstance(candidates, str):
        candidates = json.loads(candidates)
    return TrackingOut(
        carrier=row["carrier"],
        tracking_number=row["tracking_number"],
        state=row["state"],
        source=row["source"],
        mode=row["mode"],
        candidates=candidates_of(candidates),
        needs=list(row["needs"] or ()),
        destination=Destination(postal_code=row["postal_code"], country=row["country"]),
        ship_date=row["ship_date"],
        last_status=row["last_status"],
        last_event_at=row["last_event_at"],
        promised_date=row["promised_date"],
        last_success_at=row["last_success_at"],
        next_check_at=row["next_due_at"],
        orders=orders,
        created_at=row["created_at"],
        updated_at=row["updated_at"],
    )
