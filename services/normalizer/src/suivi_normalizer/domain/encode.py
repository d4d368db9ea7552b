"""The hot path's encoder: canonical events as JSON bytes, without re-validating what is known."""

from __future__ import annotations

import functools
from collections.abc import Container
from datetime import datetime, timedelta, timezone, tzinfo
from typing import Annotated, Any, NamedTuple
from uuid import UUID

import orjson
from pydantic import BaseModel, TypeAdapter, ValidationError

from suivi_normalizer.domain.envelope import RawEnvelope
from suivi_normalizer.domain.normalize import select_new, to_event
from suivi_normalizer.domain.revisions import Revision
from suivi_normalizer.providers import Checkpoint
from suivi_schemas import (
    Location,
    ShipmentStatus,
    ShipmentStatusEvent,
    Substatus,
    normalize_tracking_number,
    shipment_key,
)

# What each field needs on the fast path (a test checks that every field of the model is here,
# and that `_fields` lists them in the model's order, the bytes being model_dump_json()'s):
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


def _validated(name: str, value: str) -> Any:
    try:
        return _adapter(name).validate_python(value)
    except ValidationError as exc:
        raise _UntrustedError(name) from exc


# Each string field as the model would hold it: carriers, tracking numbers, codes and messages
# repeat, so each distinct value is validated once (one cache per field: one-argument lookups).
_provider = functools.lru_cache(maxsize=1024)(functools.partial(_validated, "provider"))
_code = functools.lru_cache(maxsize=65536)(functools.partial(_validated, "raw_code"))
_message = functools.lru_cache(maxsize=65536)(functools.partial(_validated, "raw_message"))


@functools.lru_cache(maxsize=65536)
def _shipment(carrier: str, tracking_number: str) -> tuple[str, str, bytes]:
    """(carrier, tracking number) as the model holds them, and the event's Kafka key."""
    slug = _validated("carrier", carrier)
    number = _validated("tracking_number", normalize_tracking_number(tracking_number))
    return slug, number, shipment_key(slug, number).encode()


def _exact_offset(at: datetime) -> bool:
    """orjson writes the offset as pydantic does: orjson rounds an offset with seconds (old
    local mean times), pydantic truncates. (A whole number of minutes: a day is one, so
    `seconds`, 0 to 86399, tells.)"""
    zone = at.tzinfo
    if zone.__class__ is timezone:  # a fixed offset (UTC, ±HH:MM): judged once per zone
        exact = _fixed_zones.get(zone)
        if exact is None:
            if len(_fixed_zones) >= 4096:
                _fixed_zones.clear()
            exact = _fixed_zones[zone] = _whole_minutes(at.utcoffset())
        return exact
    return _whole_minutes(at.utcoffset())


def _whole_minutes(offset: timedelta | None) -> bool:
    return offset is not None and not (offset.seconds % 60 or offset.microseconds)


_fixed_zones: dict[tzinfo, bool] = {}


_nested_seen: dict[int, tuple[BaseModel, Any]] = {}


def _nested(model: BaseModel) -> Any:
    # Locations and estimates are frozen contract models the adapters already validated, and
    # shared (providers.base caches locations): dumped once each, found by identity; an empty
    # location is no location (normalize.event_fields).
    seen = _nested_seen.get(id(model))
    if seen is not None and seen[0] is model:
        return seen[1]
    if len(_nested_seen) >= 16384:
        _nested_seen.clear()
    empty = getattr(model, "is_empty", None)
    dumped = None if empty is not None and empty() else model.model_dump(mode="json")
    _nested_seen[id(model)] = (model, dumped)
    return dumped


# Locations found by value too: adapters build a new one per scan where they do not share them
# (two of the bench's ~4.6 per webhook), and one Location's JSON is its four strings' (no two
# different texts are equal, unlike times or numbers).
_PLACE_FIELDS = ("city", "region", "postal_code", "country")
if tuple(Location.model_fields) != _PLACE_FIELDS:
    raise ImportError("Location's fields changed: update encode._place")
_MISSING = object()
_place_dumps: dict[tuple[str | None, ...], Any] = {}


def _place(location: Location) -> Any:
    if location.__class__ is not Location:
        return _nested(location)
    key = (location.city, location.region, location.postal_code, location.country)
    dumped = _place_dumps.get(key, _MISSING)
    if dumped is _MISSING:
        if len(_place_dumps) >= 65536:
            _place_dumps.clear()
        dumped = None if location.is_empty() else location.model_dump(mode="json")
        _place_dumps[key] = dumped
    return dumped


class _Envelope(NamedTuple):
    """What every event of one webhook takes from its envelope, checked once."""

    raw: RawEnvelope
    provider: str | None  # None: untrusted (every event takes the validating path)
    received_at: datetime
    raw_event_id: UUID


def _envelope(raw: RawEnvelope) -> _Envelope:
    try:
        provider: str | None = _provider(raw.provider)
    except _UntrustedError:
        provider = None
    if not _exact_offset(raw.received_at):
        provider = None
    return _Envelope(raw, provider, raw.received_at, raw.event_id)


def _fields(
    cp: Checkpoint, event_id: UUID, env: _Envelope, revision_of: UUID | None
) -> tuple[dict[str, Any], bytes]:
    """The event's fields in the model's order, as model_dump_json() writes them, and its key;
    _UntrustedError for anything the fast path does not vouch for."""
    if env.provider is None:
        raise _UntrustedError("provider")
    carrier, number, key = _shipment(cp.carrier, cp.tracking_number)
    occurred_at = cp.occurred_at
    if not _exact_offset(occurred_at):
        raise _UntrustedError("occurred_at")
    code, message, location, eta = cp.code, cp.message, cp.location, cp.estimated_delivery
    meaning = cp.meaning
    fields = {
        "schema_version": 1,
        "event_id": event_id,
        "provider": env.provider,
        "carrier": carrier,
        "tracking_number": number,
        "status": meaning.status,
        "substatus": meaning.substatus,
        "action_required": meaning.action_required,
        "reason": meaning.reason,
        "raw_code": None if code is None else _code(code),
        "raw_message": None if message is None else _message(message),
        "location": None if location is None else _place(location),
        "occurred_at": occurred_at,
        "time_basis": cp.time_basis,
        "estimated_delivery": None if eta is None else _nested(eta),
        "received_at": env.received_at,
        "raw_event_id": env.raw_event_id,
    }
    if revision_of is not None:  # left out when absent (exclude_if); in the model's order
        del fields["received_at"], fields["raw_event_id"]
        fields["revision_of"] = revision_of
        fields["received_at"], fields["raw_event_id"] = env.received_at, env.raw_event_id
    return fields, key


def _encode(cp: Checkpoint, event_id: UUID, env: _Envelope, revision_of: UUID | None) -> Encoded:
    try:
        fields, key = _fields(cp, event_id, env, revision_of)
    except _UntrustedError:
        raw = env.raw
        event = to_event(cp, event_id, raw.provider, raw, revision_of)
        return Encoded(
            event_id, event.key.encode(), event.model_dump_json().encode(),
            event.status, event.substatus, event.raw_code,
        )  # fmt: skip
    meaning = cp.meaning
    value = orjson.dumps(fields, option=orjson.OPT_UTC_Z)
    return Encoded(event_id, key, value, meaning.status, meaning.substatus, fields["raw_code"])


def encode(
    cp: Checkpoint, event_id: UUID, raw: RawEnvelope, revision_of: UUID | None = None
) -> Encoded:
    """Equal, byte for byte, to `to_event(…).model_dump_json()` (tests/unit/domain/test_encode.py);
    anything unusual (and every failure, to raise its real ValidationError) takes that path."""
    return _encode(cp, event_id, _envelope(raw), revision_of)


def encode_new(
    raw: RawEnvelope,
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
    env = _envelope(raw)
    events = [_encode(cp, event_id, env, None) for event_id, cp in selected]
    for r in estimates:
        if isinstance(r, Revision):
            events.append(_encode(r.checkpoint, r.event_id, env, r.revision_of))
        elif events:  # the estimate-aware id of a checkpoint published now, on any of them
            events[-1] = events[-1]._replace(estimate_id=r)
    return events, skipped
