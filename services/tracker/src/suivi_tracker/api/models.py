"""Request and response bodies of the tracking API (the OpenAPI document shows them)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from suivi_schemas.common import CountryCode


class ErrorBody(BaseModel):
    error: str = Field(description="A stable code, e.g. unknown_carrier, tracking_number_too_long.")
    detail: str


class Destination(BaseModel):
    model_config = ConfigDict(extra="forbid")

    postal_code: str | None = Field(default=None, min_length=1, max_length=16)
    country: CountryCode | None = None


class TrackingIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    tracking_number: str = Field(min_length=1, max_length=200)
    carrier: str | None = Field(
        default=None, min_length=1, max_length=64, description="Omit to detect it."
    )
    destination: Destination | None = None
    ship_date: date | None = None
    order_number: str = Field(default="", max_length=64)
    title: str | None = Field(default=None, max_length=200)


class TrackingPatch(BaseModel):
    model_config = ConfigDict(extra="forbid")

    carrier: str | None = Field(default=None, min_length=1, max_length=64)
    destination: Destination | None = None
    ship_date: date | None = None


class CandidateOut(BaseModel):
    carrier: str
    confidence: float
    reason: str


class OrderLink(BaseModel):
    order_number: str
    title: str | None = None


class TrackingOut(BaseModel):
    carrier: str
    tracking_number: str
    state: str = Field(description="pending, active, carrier_uncertain, needs_info, unsupported, "
                       "confirming, stopped, expired or failed (docs/tracking.md).")  # fmt: skip
    source: str | None = Field(description="The API that feeds it; null when unsupported.")
    mode: str | None = Field(description="push (registered) or poll.")
    candidates: list[CandidateOut] = Field(description="Ranked, when the carrier was detected.")
    needs: list[str] = Field(description="What the source asks for (state needs_info).")
    destination: Destination
    ship_date: date | None
    last_status: str | None
    last_event_at: datetime | None
    promised_date: date | None
    last_success_at: datetime | None
    next_check_at: datetime | None
    orders: list[OrderLink]
    created_at: datetime
    updated_at: datetime


class TrackingPage(BaseModel):
    trackings: list[TrackingOut]
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page; null: done.")


class BatchLine(BaseModel):
    line: int
    status: int = Field(description="201 created, 200 existing, 4xx refused (see error).")
    tracking: TrackingOut | None = None
    error: ErrorBody | None = None


class BatchOut(BaseModel):
    created: int
    existing: int
    refused: int
    lines: list[BatchLine]


def candidates_of(value: Any) -> list[CandidateOut]:
    items = value if isinstance(value, list) else []
    return [CandidateOut(carrier=c["carrier"], confidence=c["confidence"], reason=c["reason"])
            for c in items]  # fmt: skip
