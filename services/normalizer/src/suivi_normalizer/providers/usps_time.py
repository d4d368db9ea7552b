"""When a USPS Tracking 3.0 event happened: its local, GMT and offset fields weighed (usps.py).

Choices (recorded USPS bodies, fixtures/usps/SOURCES.md):
- With `GMTTimestamp` the instant is the GMT one, shown at `GMTOffset`, else at the local time
  minus GMT (rounded to 15 minutes).
- USPS sometimes writes the GMT time on the local date ("eventTimestamp" 2024-11-21T23:28:00,
  "GMTTimestamp" 2024-11-21T05:28:33Z at -06:00: a day early). When the local time and the GMT
  one disagree by whole days, the local date wins, with the GMT seconds; the body counts a
  degraded parse of `trackingEvents[].GMTTimestamp`.
- Without GMT: eventTimestamp keeps its own offset, else gets GMTOffset, else it is placed by
  timeparse.parse_placed: the event's country, city or state (in the USA when eventCountry is
  empty). An event naming no place at all (label created, picked up by a shipping partner) is
  placed by the shipment's origin and destination states when their zones agree
  (`time_basis: shipment_country`), else UTC. A local time of exactly midnight without GMT
  ("Pre-Shipment" 2024-11-23T00:00:00) is a day without a time: local noon.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo

from suivi_normalizer.providers.base import AdapterError, text
from suivi_normalizer.providers.places import region_zone
from suivi_normalizer.providers.timeparse import MAX_UTC_OFFSET, parse_placed, parse_utc_offset
from suivi_schemas import Location, TimeBasis

_DAY = timedelta(days=1)
_QUARTER = timedelta(minutes=15)


def shipment_zone(payload: dict[str, Any]) -> str | None:
    """The zone of the shipment's origin and destination states when both agree on one."""
    states = [text(payload.get(k)) for k in ("originState", "destinationState")]
    zones = {region_zone("US", s) if isinstance(s, str) and len(s) <= 40 else None for s in states}
    zones.discard(None)
    return zones.pop() if len(zones) == 1 else None


def occurred_at(
    event: dict[str, Any],
    path: str,
    location: Location | None,
    home: str | None,
    degraded: list[str],
) -> tuple[datetime, TimeBasis]:
    """The event's instant and what placed it (module docstring); `home`: shipment_zone."""
    offset = _offset(event, path)
    local_raw = _string(event, "eventTimestamp", path)
    gmt_raw = _string(event, "GMTTimestamp", path)
    if gmt_raw is not None:
        gmt = _timestamp(gmt_raw, f"{path}.GMTTimestamp")
        gmt = gmt.astimezone(UTC) if gmt.tzinfo else gmt.replace(tzinfo=UTC)
        local = _timestamp(local_raw, f"{path}.eventTimestamp") if local_raw else None
        if local is None:
            return (gmt.astimezone(offset) if offset else gmt), TimeBasis.OFFSET
        if local.tzinfo is not None:
            return gmt.astimezone(local.tzinfo), TimeBasis.OFFSET
        wall = local - gmt.replace(tzinfo=None)  # the offset, unless the GMT date slipped
        expected = offset.utcoffset(None) if offset is not None else None
        slip = round((wall - (expected or timedelta(0))) / _DAY) * _DAY
        if (expected is None and abs(wall) <= MAX_UTC_OFFSET) or gmt.date() != local.date():
            slip = timedelta(0)  # only the GMT time written on the local date is a slip
        elif abs(slip) > _DAY:
            raise AdapterError(f"{path}.eventTimestamp: {wall} away from GMTTimestamp")
        if slip:
            degraded.append("trackingEvents[].GMTTimestamp")  # GMT time on the local date
            gmt += slip
        if offset is None:
            delta = _QUARTER * round((wall - slip) / _QUARTER)
            if abs(delta) > MAX_UTC_OFFSET:
                raise AdapterError(f"{path}.eventTimestamp: {wall} away from GMTTimestamp")
            offset = timezone(delta)
        return gmt.astimezone(offset), TimeBasis.OFFSET
    if local_raw is None:
        raise AdapterError(f"{path}.eventTimestamp: missing (and no GMTTimestamp)")
    local = _timestamp(local_raw, f"{path}.eventTimestamp")
    if local.tzinfo is not None:
        return local, TimeBasis.OFFSET
    if offset is not None:
        return local.replace(tzinfo=offset), TimeBasis.OFFSET
    if local.time() == datetime.min.time():
        local, local_raw = local.replace(hour=12), local_raw[:10]  # a day without a time
    if location is None and home is not None:
        return local.replace(tzinfo=ZoneInfo(home)), TimeBasis.SHIPMENT_COUNTRY
    # A domestic scan leaves eventCountry empty: its city or state is looked up in the USA.
    return parse_placed(
        local_raw,
        f"{path}.eventTimestamp",
        country=location.country if location else None,
        region=location.region if location else None,
        city=location.city if location else None,
        shipment=("US",),
    )


def _string(event: dict[str, Any], key: str, path: str) -> str | None:
    value = event.get(key)
    if value is not None and not isinstance(value, str):
        raise AdapterError(f"{path}.{key}: expected a string, got {value!r}")
    return text(value)


def _offset(event: dict[str, Any], path: str) -> timezone | None:
    raw = _string(event, "GMTOffset", path)
    return None if raw is None else parse_utc_offset(raw, f"{path}.GMTOffset")


def _timestamp(raw: str, path: str) -> datetime:
    """An ISO 8601 timestamp as written: aware when it carries an offset, naive otherwise."""
    try:
        return datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError as exc:
        raise AdapterError(f"{path}: not an ISO 8601 timestamp: {raw!r}") from exc
