"""The hot path's encoder: canonical events as JSON bytes, without re-validating what is known."""

from __future__ import annotations

import functools
from collections.abc import Container
from typing import Annotated, Any, NamedTuple
from uuid import UUID

import orjson
from pydantic import BaseModel, TypeAdapter, ValidationError

from suivi_normalizer.domain.normalize import event_fields, select_new, to_event
from suivi_normalizer.domain.revisions import Revision
from suivi_normalizer.providers import Checkpoint
from suivi_schemas import (
    RawProviderEvent,
    ShipmentStatus,
    ShipmentStatusEvent,
    Substatus,
    shipment_key,
)

# The model's own field order and defaults: the bytes must be model_dump_json()'s, key for key.
_TEMPLATE: dict[str, Any] = {
    name: info.get_default(call_default_factory=True)
    for name, info in ShipmentStatusEvent.model_fields.items()
}
# What each field needs on the fast path (a test checks that every field of the model is here):
# strings are validated once per distinct value (validators may change them, e.g. U+0000 removed);
STRINGS = ("provider", "carrier", "tracking_number", "raw_code", "raw_message")
# times must have an offset orjson writes as pydantic does;
TIMES = ("occurred_at", "received_at")
# contract models the adapters built (so validated) are dumped once each;
MODELS = ("location", "estimated_delivery")
# fields the model leaves out when absent (exclude_if);
OMITTED_IF_NONE = ("revision_of",)
# ids, flags and the code tables' enums are typed by the adapters and go as they are.
AS_IS = ("schema_version", "event_id", "status", "substatus", "action_required", "reason",
         "time_basis", "revision_of", "raw_event_id")  # fmt: skip


class _UntrustedError(Exception):
    """A value the fast path does not vouch for: the event takes the validating path."""


class Encoded(NamedTuple):
    """One canonical event as published, with what the pipeline counts it by (a tuple: built
    for every event, where a frozen dataclass's __init__ cost as much as the JSON encoding)."""

    event_id: UUID
    key: bytes
    value: bytes
    status: ShipmentStatus
    substatus: Substatus | None
    raw_code: str | None
    # The estimate-aware id this event publishes too (remembered with event_id: see revisions).
    estimate_id: UUID | None = None


@functools.cache
def _adapter(name: str) -> TypeAdapter[Any]:
    # The field's own type and constraints, taken from the contract, not restated here.
    info = ShipmentStatusEvent.model_fields[name]
    if not info.metadata:  # e.g. `FreeText | None`: the annotation holds it all
        return TypeAdapter(info.annotation or str)
    return TypeAdapter(Annotated.__class_getitem__((info.annotation, *info.metadata)))  # type: ignore[attr-defined]


@functools.lru_cache(maxsize=65536)
def _checked(name: str, value: str) -> Any:
    """A string field as the model would hold it (carriers, tracking numbers and messages repeat:
    each distinct one is validated once)."""
    try:
        return _adapter(name).validate_python(value)
    except ValidationError as exc:
        raise _UntrustedError(name) from exc


_nested_seen: dict[int, tuple[BaseModel, Any]] = {}


def _nested(model: BaseModel) -> Any:
    # Locations and estimates are frozen contract models the adapters already validated, and
    # shared (providers.base caches locations): dumped once each, found by identity.
    seen = _nested_seen.get(id(model))
    if seen is not None and seen[0] is model:
        return seen[1]
    if len(_nested_seen) >= 16384:
        _nested_seen.clear()
    dumped = model.model_dump(mode="json")
    _nested_seen[id(model)] = (model, dumped)
    return dumped


def _trusted(fields: dict[str, Any]) -> dict[str, Any]:
    out = _TEMPLATE.copy()
    out.update(fields)
    for name in STRINGS:
        value = out[name]
        if value is not None:
            out[name] = _checked(name, value)
    for name in TIMES:
        offset = out[name].utcoffset()
        # orjson rounds an offset with seconds (old local mean times), pydantic truncates.
        # (A whole number of minutes: a day is one, so `seconds`, 0 to 86399, tells.)
        if offset is None or offset.seconds % 60 or offset.microseconds:
            raise _UntrustedError(name)
    for name in MODELS:
        value = out[name]
        if value is not None:
            out[name] = _nested(value)
    for name in OMITTED_IF_NONE:
        if out[name] is None:
            del out[name]
    return out


def encode(
    cp: Checkpoint, event_id: UUID, raw: RawProviderEvent, revision_of: UUID | None = None
) -> Encoded:
    """Equal, byte for byte, to `to_event(…).model_dump_json()` (tests/unit/domain/test_encode.py);
    anything unusual (and every failure, to raise its real ValidationError) takes that path."""
    fields = event_fields(cp, event_id, raw.provider, raw, revision_of)
    try:
        out = _trusted(fields)
    except _UntrustedError:
        event = to_event(cp, event_id, raw.provider, raw, revision_of)
        return Encoded(
            event_id, event.key.encode(), event.model_dump_json().encode(),
            event.status, event.substatus, event.raw_code,
        )  # fmt: skip
    key = shipment_key(out["carrier"], out["tracking_number"]).encode()
    value = orjson.dumps(out, option=orjson.OPT_UTC_Z)
    return Encoded(event_id, key, value, out["status"], out["substatus"], out["raw_code"])


def encode_new(
    raw: RawProviderEvent,
    known: Container[UUID] = (),
    payload: Any = None,
    degraded: list[str] | None = None,
    *,
    revisions: bool = False,
) -> tuple[list[Encoded], int]:
    """`normalize_new`, encoded: (events, skipped), oldest first, each once; with `revisions`,
    then a revision, and the estimate-aware id to remember on an event (Encoded.estimate_id)."""
    estimates: list[Revision | UUID] = []
    selected, skipped = select_new(raw, known, payload, degraded, estimates if revisions else None)
    events = [encode(cp, event_id, raw) for event_id, cp in selected]
    for r in estimates:
        if isinstance(r, Revision):
            events.append(encode(r.checkpoint, r.event_id, raw, r.revision_of))
        elif events:  # the estimate-aware id of a checkpoint published now, on any of them
            events[-1] = events[-1]._replace(estimate_id=r)
    return events, skipped
