"""Conversions between events / rule values and the tables' columns (parallel arrays, rows)."""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime
from enum import StrEnum
from typing import Any, NamedTuple, TypeVar
from uuid import UUID

import orjson
from asyncpg.pgproto.pgproto import UUID as PgUUID  # noqa: N811 - the driver's own, in C

from suivi_projections.domain.shipments import Checkpoint, Generation, key_of
from suivi_schemas import (
    EstimatedDelivery,
    EstimateSource,
    OrderEvent,
    Reason,
    ShipmentStatus,
    ShipmentStatusEvent,
    Substatus,
    TimeBasis,
    normalize_tracking_number,
)

E = TypeVar("E", bound=StrEnum)

GENERATION_FIELDS: tuple[str, ...] = Generation._fields


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
    return generation_of(r[2:])


def generation_of(v: Sequence[Any]) -> Generation:
    """From the values of `sql.SHIPMENT_COLUMNS` (Generation's field order)."""
    status, substatus, reason, source = v[6], v[7], v[9], v[13]
    return Generation(
        v[0], v[1], v[2], v[3], v[4], v[5], _STATUS[status] if status else None,
        _SUBSTATUS[substatus] if substatus else None, v[8], _REASON[reason] if reason else None,
        v[10], v[11], v[12], _SOURCE[source] if source else None, v[14], v[15],
    )  # fmt: skip


class StatusRow(NamedTuple):
    """One status event as the write path needs it: its `shipment_events` row (the first 18
    values, `sql.EVENT_COLUMNS`: normalized key, enum members, location and estimate as their
    JSON objects), then `revision_of`. Built from the model (`status_row`) or straight from the
    record's bytes (`decode_status`): the same values either way."""

    event_id: UUID
    carrier: str
    tracking_number: str
    occurred_at: datetime
    status: ShipmentStatus
    substatus: Substatus | None
    action_required: bool
    reason: Reason | None
    provider: str
    raw_code: str | None
    message: str | None
    location: dict[str, Any] | None  # Location's JSON object; None when absent or empty
    estimated_delivery: dict[str, Any] | None  # EstimatedDelivery's JSON object
    eta_earliest: date | None
    eta_latest: date | None
    eta_source: EstimateSource | None
    received_at: datetime
    raw_event_id: UUID
    revision_of: UUID | None

    def checkpoint(self) -> Checkpoint:
        return Checkpoint(
            self.event_id, self.occurred_at, self.status, self.substatus, self.action_required,
            self.reason, self.eta_earliest, self.eta_latest, self.eta_source,
        )  # fmt: skip


# A row from its values (a tuple), without NamedTuple's own __new__ (per event, on the hot path).
_row: Callable[[tuple[Any, ...]], StatusRow] = functools.partial(tuple.__new__, StatusRow)


def _in_utc_range(moment: datetime) -> datetime:
    """The instant itself; OverflowError when it has no UTC time (the first or last day of
    Python's calendar with an offset), as the driver would raise encoding it."""
    if moment.year in (1, 9999):
        moment.astimezone(UTC)
    return moment


def status_row(e: ShipmentStatusEvent) -> StatusRow:
    """The row of a validated event (the reference `decode_status` is held to)."""
    carrier, tracking_number = key_of(e.carrier, e.tracking_number)
    eta = e.estimated_delivery
    location = e.location
    return StatusRow(
        e.event_id, carrier, tracking_number, _in_utc_range(e.occurred_at), e.status,
        e.substatus, e.action_required, e.reason, e.provider, e.raw_code, e.raw_message,
        location.model_dump(mode="json") if location and not location.is_empty() else None,
        eta.model_dump(mode="json") if eta else None,
        eta.earliest if eta else None, eta.latest if eta else None,
        eta.source if eta else None, _in_utc_range(e.received_at), e.raw_event_id, e.revision_of,
    )  # fmt: skip


# decode_status: the published form of a valid event (what model_dump_json writes, or any
# other order of its keys, extra keys ignored) is read with orjson and checked field by field;
# anything else (another spelling of a valid value, an invalid one, unparsable bytes) raises
# here, and the model decides: it validates it or raises.
_SLUG = re.compile(r"[a-z0-9][a-z0-9_-]{0,63}")
_MOMENT = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]{1,6})?(?:Z|[+-][0-9]{2}:[0-9]{2})"
)
_TIME_BASIS = frozenset(b.value for b in TimeBasis)
_LOCATION = frozenset(("city", "region", "postal_code", "country"))
_ESTIMATE = frozenset(("earliest", "latest", "earliest_at", "latest_at", "source", "detail"))
_slugs: set[str] = set()  # slugs seen in their canonical form
_fromisoformat = datetime.fromisoformat
_date = date.fromisoformat


class _Slow(Exception):  # noqa: N818 - a signal, not an error
    """Not the published form: the model decides."""


def _uuid(value: str) -> UUID:
    """A UUID spelled 8-4-4-4-12 (ValueError unless 32 hex digits, TypeError unless a str)."""
    if len(value) != 36 or value[8] != "-" or value[13] != "-" or value[23] != "-":
        raise _Slow
    if value[18] != "-":
        raise _Slow
    return PgUUID(value)  # type: ignore[no-any-return]


def _slug(value: str) -> str:
    if value not in _slugs:
        if _SLUG.fullmatch(value) is None:  # TypeError unless a str
            raise _Slow
        if len(_slugs) > 4096:
            _slugs.clear()
        _slugs.add(value)
    return value


def _moment(value: str) -> datetime:
    """RFC 3339 with an offset, seconds, at most 6 fraction digits (a str, or TypeError)."""
    size = len(value)
    # The two usual spellings (…:SSZ, …:SS+HH:MM) by their separators, else the pattern: then
    # fromisoformat reads digits only where the pattern has them.
    usual = (
        (
            (size == 20 and value[19] == "Z")
            or (size == 25 and value[19] in "+-" and value[22] == ":")
        )
        and value[4] == value[7] == "-"
        and value[10] == "T"
        and value[13] == value[16] == ":"
    )
    if not usual and _MOMENT.fullmatch(value) is None:
        raise _Slow
    moment = _fromisoformat(value)
    if moment.year in (1, 9999):
        moment.astimezone(UTC)  # OverflowError: see _in_utc_range
    return moment


def _day(value: str) -> date:
    """YYYY-MM-DD (a str, or TypeError)."""
    if len(value) != 10 or value[4] != "-" or value[7] != "-":
        raise _Slow
    return _date(value)  # ValueError unless digits making a date


def _location(value: object) -> dict[str, Any] | None:
    if type(value) is not dict:
        raise _Slow
    city, region = value.get("city"), value.get("region")
    postal_code, country = value.get("postal_code"), value.get("country")
    for text in (city, region, postal_code):
        if text is not None and (type(text) is not str or "\x00" in text):
            raise _Slow
    if country is not None and not (
        type(country) is str and len(country) == 2 and country.isascii()
        and country.isalpha() and country.isupper()
    ):  # fmt: skip
        raise _Slow
    if not (city or region or postal_code or country):
        return None
    if value.keys() == _LOCATION:
        return value  # already the published object
    return {"city": city, "region": region, "postal_code": postal_code, "country": country}


def _estimate(value: object) -> tuple[dict[str, Any], date, date, EstimateSource]:
    if type(value) is not dict:
        raise _Slow
    if value.get("earliest_at") is not None or value.get("latest_at") is not None:
        # Times: the model's own JSON of them (its spelling of the instants).
        eta = EstimatedDelivery.model_validate_json(orjson.dumps(value))
        return eta.model_dump(mode="json"), eta.earliest, eta.latest, eta.source
    published_earliest, published_latest = value.get("earliest"), value.get("latest")
    earliest, latest = _day(published_earliest), _day(published_latest)  # type: ignore[arg-type]
    source = _SOURCE[value.get("source")]  # type: ignore[index]
    detail = value.get("detail")
    if detail is not None and (type(detail) is not str or "\x00" in detail):
        raise _Slow
    if latest < earliest:
        raise _Slow
    if value.keys() != _ESTIMATE:
        value = {"earliest": published_earliest, "latest": published_latest,
                 "earliest_at": None, "latest_at": None, "source": source.value,
                 "detail": detail}  # fmt: skip
    return value, earliest, latest, source


def _fast_row(value: bytes) -> StatusRow:
    """The row of a record in the published form; anything else raises (any exception)."""
    d = orjson.loads(value)
    get = d.get  # AttributeError unless an object
    version, action_required = get("schema_version", 1), get("action_required", False)
    if type(version) is not int or version != 1 or type(action_required) is not bool:
        raise _Slow
    number = get("tracking_number")
    if type(number) is not str or not 0 < len(number) <= 64:
        raise _Slow
    if not number.replace(" ", "").isprintable():
        raise _Slow
    time_basis, raw_code, raw_message = get("time_basis"), get("raw_code"), get("raw_message")
    if time_basis is not None and time_basis not in _TIME_BASIS:
        raise _Slow
    if raw_code is not None and (type(raw_code) is not str or "\x00" in raw_code):
        raise _Slow
    if raw_message is not None and (type(raw_message) is not str or "\x00" in raw_message):
        raise _Slow
    substatus, reason, revision_of = get("substatus"), get("reason"), get("revision_of")
    location, eta = get("location"), get("estimated_delivery")
    if location is not None:
        location = _location(location)
    eta_earliest = eta_latest = eta_source = None
    if eta is not None:
        eta, eta_earliest, eta_latest, eta_source = _estimate(eta)
    # Enum members by their published value: a str, else the lookup fails (KeyError,
    # TypeError) and the model decides.
    return _row((
        _uuid(get("event_id")), _slug(get("carrier")), normalize_tracking_number(number),
        _moment(get("occurred_at")), _STATUS[get("status")],
        None if substatus is None else _SUBSTATUS[substatus], action_required,
        None if reason is None else _REASON[reason], _slug(get("provider")), raw_code,
        raw_message, location, eta, eta_earliest, eta_latest, eta_source,
        _moment(get("received_at")), _uuid(get("raw_event_id")),
        None if revision_of is None else _uuid(revision_of),
    ))  # fmt: skip


def decode_status(value: bytes) -> StatusRow:
    """A `tracking.status.v1` record's row: `status_row` of the validated event, read without
    the model when the record is in its published form. Raises as the model's validation
    does (pydantic's ValidationError, with its error list) when the record is no valid event."""
    try:
        return _fast_row(value)
    except Exception:  # noqa: S110 - the model decides, and raises if it must
        pass
    return status_row(ShipmentStatusEvent.model_validate_json(value))
