"""Raw provider event → canonical shipment-status events (pure: no I/O)."""

from __future__ import annotations

import re
from collections.abc import Container
from typing import Any
from uuid import UUID

import orjson

from suivi_normalizer.domain.envelope import RawEnvelope
from suivi_normalizer.domain.revisions import Revision, judge
from suivi_normalizer.providers import AdapterError, Checkpoint, parser_for
from suivi_schemas import (
    ShipmentStatusEvent,
    checkpoint_event_id,
    normalize_tracking_number,
    strict_json,
)

# Every digit as "0": a run of 19 or more zeros is such a run of digits in the text.
_DIGITS_AS_ZERO = bytes.maketrans(b"123456789", b"000000000")
_LONG_RUN = re.compile(rb"0000000000000000000+")  # a literal prefix: searched fast
# A number's digits follow one of these (or begin the text); in valid JSON, a run of digits
# after anything else (a quote, a letter, a slash) is inside a string.
_BEFORE_A_NUMBER = frozenset(b"-+.eE:[, \t\n\r")
# pydantic refuses JSON nested deeper than 200 arrays and objects, orjson reads up to 1,024.
_SURELY_SHALLOW = 200


def _may_hold_a_long_number(data: bytes) -> bool:
    """Whether valid JSON `data` may hold a number with 19 digits or more in a row."""
    for run in _LONG_RUN.finditer(data.translate(_DIGITS_AS_ZERO)):
        start = run.start()
        if start == 0 or data[start - 1] in _BEFORE_A_NUMBER:
            return True
    return False


def decode_body(body: str | bytes) -> Any:
    """strict_json.loads's value (AdapterError when it refuses the body), in one orjson pass
    where that is the same value. orjson refuses what strict_json refuses (NaN, infinities,
    numbers beyond a float) and reads what it accepts as pydantic does, but for integers beyond
    64 bits (19 digits or more), which it reads as floats, and for nesting deeper than
    pydantic's limit, which it reads: a body that may hold such a number (a run of 19 digits
    not inside a string, such as a tracking number, or in a fraction), or more than 200
    brackets and braces, is read by strict_json."""
    try:
        data = body.encode() if isinstance(body, str) else body
        value = orjson.loads(data)
        if data.count(b"{") + data.count(b"[") <= _SURELY_SHALLOW and not _may_hold_a_long_number(
            data
        ):
            return value
    except ValueError:  # not JSON for orjson, or a lone surrogate: strict_json says why
        pass
    try:
        return strict_json.loads(body)
    except ValueError as exc:
        raise AdapterError(f"body is not valid JSON: {exc}") from exc


def checkpoint_id(cp: Checkpoint) -> UUID:
    location = cp.location
    return checkpoint_event_id(
        carrier=cp.carrier,
        tracking_number=cp.tracking_number,
        occurred_at=cp.occurred_at,
        code=cp.code,
        city=location.city if location else None,
        country=location.country if location else None,
    )


def event_fields(
    cp: Checkpoint,
    event_id: UUID,
    provider: str,
    raw: RawEnvelope,
    revision_of: UUID | None = None,
) -> dict[str, Any]:
    """A canonical event's fields, listed once: validated by `to_event`, trusted where the
    adapter guarantees them by the hot path's encoder (domain/encode.py)."""
    location = cp.location
    return {
        "event_id": event_id,
        "provider": provider,
        "carrier": cp.carrier,
        "tracking_number": normalize_tracking_number(cp.tracking_number),
        "status": cp.meaning.status,
        "substatus": cp.meaning.substatus,
        "action_required": cp.meaning.action_required,
        "reason": cp.meaning.reason,
        "raw_code": cp.code,
        "raw_message": cp.message,
        "location": location if location is not None and not location.is_empty() else None,
        "occurred_at": cp.occurred_at,
        "time_basis": cp.time_basis,
        "estimated_delivery": cp.estimated_delivery,
        "revision_of": revision_of,
        "received_at": raw.received_at,
        "raw_event_id": raw.event_id,
    }


def to_event(
    cp: Checkpoint,
    event_id: UUID,
    provider: str,
    raw: RawEnvelope,
    revision_of: UUID | None = None,
) -> ShipmentStatusEvent:
    return ShipmentStatusEvent(**event_fields(cp, event_id, provider, raw, revision_of))


def checkpoints_of(
    raw: RawEnvelope, payload: Any = None, degraded: list[str] | None = None
) -> list[Checkpoint]:
    """The adapter's reading of the webhook; AdapterError when it cannot be read. `degraded`
    receives the optional fields the adapter did without (providers.base.Parsed)."""
    parse = parser_for(raw.provider)
    if payload is None:
        payload = decode_body(raw.body)
    try:
        found = parse(payload)
    except AdapterError:
        raise
    except (LookupError, TypeError, ValueError, AttributeError) as exc:
        # An adapter tripping over an unexpected shape is a bad payload, not a crash.
        raise AdapterError(f"unexpected {raw.provider} payload shape: {exc!r}") from exc
    if degraded is not None:
        degraded.extend(getattr(found, "degraded", ()))
    return found


def select_new(
    raw: RawEnvelope,
    known: Container[UUID] = (),
    payload: Any = None,
    degraded: list[str] | None = None,
    estimates: list[Revision | UUID] | None = None,
) -> tuple[list[tuple[UUID, Checkpoint]], int]:
    """(checkpoints with their ids, skipped): those not in `known`, oldest first, each once.

    Providers re-send whole histories: checking the deterministic id first spares building and
    serializing events that were already published. `estimates` receives the estimate revision
    to publish, or the estimate-aware id to remember (domain/revisions.py).
    """
    # By the id's integer: a UUID's hash is computed in Python, an int's is not.
    chosen: dict[int, tuple[UUID, Checkpoint]] = {}
    skipped = 0
    ids = [(checkpoint_id(cp), cp) for cp in checkpoints_of(raw, payload, degraded)]
    if estimates is not None:
        revision, vouched = judge(ids, known)
        estimates.extend(x for x in (revision, vouched) if x is not None)
    for event_id, cp in ids:
        if event_id in known:
            skipped += 1
            continue
        kept = chosen.get(key := event_id.int)
        # Of a checkpoint given twice, keep the first, unless only a later copy has the estimate.
        if kept is None or (
            kept[1].estimated_delivery is None and cp.estimated_delivery is not None
        ):
            chosen[key] = (event_id, cp)
    # Ties by id: a UUID's text is fixed-width lowercase hex, so its order is its integer's.
    return sorted(chosen.values(), key=lambda item: (item[1].occurred_at, item[0].int)), skipped


def normalize_new(
    raw: RawEnvelope,
    known: Container[UUID] = (),
    payload: Any = None,
    degraded: list[str] | None = None,
    *,
    revisions: bool = False,
) -> tuple[list[ShipmentStatusEvent], int]:
    """(events, skipped): the webhook's checkpoints not in `known`, oldest first, each once;
    with `revisions`, then an estimate revision if the newest estimate is new on a known
    checkpoint (only for a caller that also remembers estimate-aware ids, see revisions.py)."""
    estimates: list[Revision | UUID] = []
    selected, skipped = select_new(raw, known, payload, degraded, estimates if revisions else None)
    events = [to_event(cp, event_id, raw.provider, raw) for event_id, cp in selected]
    for r in estimates:
        if isinstance(r, Revision):
            events.append(to_event(r.checkpoint, r.event_id, raw.provider, raw, r.revision_of))
    return events, skipped


def normalize(raw: RawEnvelope, payload: Any = None) -> list[ShipmentStatusEvent]:
    """Every checkpoint the webhook carries, oldest first, each once (by deterministic id).

    Raises AdapterError when the payload cannot be read (the caller dead-letters it).
    """
    return normalize_new(raw, (), payload)[0]
