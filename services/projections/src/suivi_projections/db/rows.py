"""Conversions between events / rule values and the tables' columns (parallel arrays, rows)."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Sequence
from enum import StrEnum
from typing import Any, TypeVar

from suivi_projections.domain.shipments import Checkpoint, Generation, key_of
from suivi_schemas import (
    EstimateSource,
    OrderEvent,
    Reason,
    ShipmentStatus,
    ShipmentStatusEvent,
    Substatus,
)

E = TypeVar("E", bound=StrEnum)

GENERATION_FIELDS: tuple[str, ...] = tuple(f.name for f in dataclasses.fields(Generation))


# Enum lookups by value: `Enum(value)` is slow enough to show on the hot path.
_BY_VALUE: dict[type[StrEnum], dict[str, StrEnum]] = {
    kind: {member.value: member for member in kind}
    for kind in (ShipmentStatus, Substatus, Reason, EstimateSource)
}


_STATUS: dict[str, ShipmentStatus] = {s.value: s for s in ShipmentStatus}
_SUBSTATUS: dict[str, Substatus] = {s.value: s for s in Substatus}
_REASON: dict[str, Reason] = {r.value: r for r in Reason}
_SOURCE: dict[str, EstimateSource] = {s.value: s for s in EstimateSource}


def optional(kind: type[E], value: str | None) -> E | None:
    if value is None:
        return None
    member = _BY_VALUE[kind].get(value) if kind in _BY_VALUE else None
    return member if member is not None else kind(value)  # type: ignore[return-value]


def event_rows(events: Sequence[ShipmentStatusEvent]) -> list[tuple[Any, ...]]:
    """Rows of `shipment_events` (`sql.EVENT_COLUMNS`), for COPY."""
    rows = []
    for e in events:
        carrier, tracking_number = key_of(e.carrier, e.tracking_number)
        eta = e.estimated_delivery
        location = e.location
        rows.append((
            e.event_id, carrier, tracking_number, e.occurred_at, e.status.value,
            e.substatus.value if e.substatus else None, e.action_required,
            e.reason.value if e.reason else None, e.provider, e.raw_code, e.raw_message,
            location.model_dump_json() if location and not location.is_empty() else None,
            eta.model_dump_json() if eta else None,
            eta.earliest if eta else None, eta.latest if eta else None,
            eta.source.value if eta else None, e.received_at, e.raw_event_id,
        ))  # fmt: skip
    return rows


def order_columns(orders: Sequence[OrderEvent]) -> list[list[Any]]:
    """The columns of `sql.UPSERT_ORDERS` but the two tokens, in its order."""
    columns: list[list[Any]] = [[] for _ in range(18)]
    for o in orders:
        c, n = o.customer, o.notifications
        address = o.shipping_address
        values = (
            o.merchant_id, o.order_number, o.event_id, o.source.value, o.placed_at, o.updated_at,
            o.cancelled, c.email, c.phone, c.name, c.locale, c.timezone, n.email, n.sms, n.push,
            address.model_dump_json() if address else None,
            json.dumps([item.model_dump(mode="json") for item in o.line_items]),
            o.model_dump_json(),
        )  # fmt: skip
        for column, value in zip(columns, values, strict=True):
            column.append(value)
    return columns


def checkpoint_from_row(r: Sequence[Any]) -> Checkpoint:
    """From `sql.LOAD_CHECKPOINTS` (carrier, tracking number, then the checkpoint)."""
    substatus, reason, source = r[5], r[7], r[10]
    return Checkpoint(
        r[2], r[3], _STATUS[r[4]], _SUBSTATUS[substatus] if substatus else None, r[6],
        _REASON[reason] if reason else None, r[8], r[9], _SOURCE[source] if source else None,
    )  # fmt: skip


def generation_from_row(r: Sequence[Any]) -> Generation:
    """From `carrier, tracking_number, <sql.SHIPMENT_COLUMNS>` (Generation's field order)."""
    v = list(r[2:])
    v[6] = _STATUS[v[6]] if v[6] else None
    v[7] = _SUBSTATUS[v[7]] if v[7] else None
    v[9] = _REASON[v[9]] if v[9] else None
    v[13] = _SOURCE[v[13]] if v[13] else None
    return Generation(*v)
