"""Suivi's own webhook format, for carriers and systems that push to Suivi directly.

Documented in docs/webhooks.md. The sender speaks Suivi's canonical vocabulary, so the "code
table" is the canonical status/substatus itself: an unknown status is a contract violation and
is dead-lettered (there is no provider status to fall back on), an unknown substatus is kept as
`unknown_code`. Times must carry an offset; a local time without one is refused.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, ValidationError

from suivi_normalizer.providers.base import AdapterError, Checkpoint, Meaning
from suivi_schemas import EstimatedDelivery, EstimateSource, Location, Reason, ShipmentStatus
from suivi_schemas.carriers import canonical_carrier
from suivi_schemas.status import Substatus, TimeBasis

SLUG = "suivi"

_SUBSTATUSES = {s.value: s for s in Substatus}


class _Location(BaseModel):
    model_config = ConfigDict(extra="ignore")
    city: str | None = None
    region: str | None = None
    postal_code: str | None = None
    country: str | None = Field(default=None, pattern=r"^[A-Za-z]{2}$")


class _Estimate(BaseModel):
    model_config = ConfigDict(extra="ignore")
    earliest: date
    latest: date | None = None


class _Event(BaseModel):
    model_config = ConfigDict(extra="ignore")
    code: str | None = Field(default=None, max_length=64)
    status: ShipmentStatus
    substatus: str | None = None
    action_required: bool = False
    reason: Reason | None = None
    message: str | None = Field(default=None, max_length=2000)
    occurred_at: AwareDatetime
    location: _Location | None = None


class _Webhook(BaseModel):
    model_config = ConfigDict(extra="ignore")
    delivery_id: str | None = None
    carrier: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$")
    tracking_number: str = Field(min_length=1, max_length=64)
    estimated_delivery: _Estimate | None = None
    events: list[_Event] = Field(min_length=1, max_length=1000)


def _describe(exc: ValidationError) -> str:
    first = exc.errors()[0]
    path = ".".join(str(p) for p in first["loc"]) or "(body)"
    more = f" (+{exc.error_count() - 1} more)" if exc.error_count() > 1 else ""
    return f"{path}: {first['msg']}{more}"


def _meaning(event: _Event) -> tuple[Meaning, bool]:
    substatus = _SUBSTATUSES.get(event.substatus) if event.substatus else None
    known = event.substatus is None or substatus is not None
    if not known:
        substatus = Substatus.UNKNOWN_CODE
    return Meaning(event.status, substatus, event.action_required, event.reason), known


def parse(payload: Any) -> list[Checkpoint]:
    try:
        hook = _Webhook.model_validate(payload)
    except ValidationError as exc:
        raise AdapterError(_describe(exc)) from exc
    estimate = None
    if hook.estimated_delivery is not None:
        est = hook.estimated_delivery
        try:
            estimate = EstimatedDelivery(
                earliest=est.earliest,
                latest=est.latest or est.earliest,
                source=EstimateSource.CARRIER,
            )
        except ValidationError as exc:
            raise AdapterError(f"estimated_delivery: {_describe(exc)}") from exc
    latest = max(hook.events, key=lambda e: e.occurred_at)
    checkpoints = []
    for event in hook.events:
        meaning, known = _meaning(event)
        code = event.code or (
            f"{event.status.value}/{event.substatus}" if event.substatus else event.status.value
        )
        loc = event.location
        checkpoints.append(
            Checkpoint(
                carrier=canonical_carrier(hook.carrier),
                tracking_number=hook.tracking_number,
                occurred_at=event.occurred_at,
                time_basis=TimeBasis.OFFSET,  # the format requires an offset
                code=code,
                meaning=meaning,
                known=known,
                message=event.message,
                location=Location(
                    city=loc.city,
                    region=loc.region,
                    postal_code=loc.postal_code,
                    country=loc.country,
                )
                if loc
                else None,
                estimated_delivery=estimate if event is latest else None,
            )
        )
    return checkpoints
