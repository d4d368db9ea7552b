"""Provider timestamps → timezone-aware datetimes, keeping the provider's offset.

Policy for local times without an offset (several carriers send them): the checkpoint's own zone
is used when the provider names one, or when the country has a single zone or zones that all
agree at that moment (from the system tz database); otherwise (a multi-zone country such as the
USA, or no country) the time is read as UTC: a place name is never used to guess a zone.
"""

from __future__ import annotations

import functools
import re
from datetime import UTC, date, datetime, time, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from suivi_normalizer.providers.base import AdapterError

_ZONE_TAB = Path("/usr/share/zoneinfo/zone.tab")


@functools.cache
def country_zones() -> dict[str, tuple[str, ...]]:
    """ISO country → its IANA zones, from the tz database's zone.tab."""
    zones: dict[str, list[str]] = {}
    try:
        lines = _ZONE_TAB.read_text(encoding="utf-8").splitlines()
    except OSError:
        return {}
    for line in lines:
        if not line or line.startswith("#"):
            continue
        parts = line.split("\t")
        if len(parts) >= 3:
            zones.setdefault(parts[0], []).append(parts[2])
    return {c: tuple(z) for c, z in zones.items()}


def zone_for(country: str | None, zone_name: str | None = None) -> ZoneInfo | None:
    if zone_name:
        try:
            return ZoneInfo(zone_name)
        except (ZoneInfoNotFoundError, ValueError):
            pass
    if country:
        candidates = country_zones().get(country.upper(), ())
        if len(candidates) == 1:
            return ZoneInfo(candidates[0])
    return None


def parse_datetime(
    value: object, path: str, *, country: str | None = None, zone_name: str | None = None
) -> datetime:
    """An ISO 8601 timestamp; offset-less ones are placed in the checkpoint's zone (or UTC)."""
    if not isinstance(value, str) or not value.strip():
        raise AdapterError(f"{path}: expected an ISO 8601 timestamp, got {value!r}")
    raw = value.strip()
    try:
        if len(raw) == 10:  # a date alone: noon local, so that the date survives any offset
            parsed = datetime.combine(date.fromisoformat(raw), time(12, 0))
        else:
            parsed = datetime.fromisoformat(raw.replace("Z", "+00:00").replace(" ", "T", 1))
    except ValueError as exc:
        raise AdapterError(f"{path}: not an ISO 8601 timestamp: {value!r}") from exc
    if parsed.tzinfo is not None:
        return parsed
    zone = zone_for(country, zone_name) or _zone_by_offset(country, parsed)
    return parsed.replace(tzinfo=zone or UTC)


def _zone_by_offset(country: str | None, wall: datetime) -> ZoneInfo | None:
    """A country whose zones all have the same offset at that wall-clock time is unambiguous
    (Germany lists Europe/Berlin and Europe/Busingen); otherwise (USA, Russia…) None."""
    if not country:
        return None
    zones = [ZoneInfo(name) for name in country_zones().get(country.upper(), ())]
    if zones and len({zone.utcoffset(wall) for zone in zones}) == 1:
        return zones[0]
    return None


def parse_date(value: object, path: str) -> date:
    if not isinstance(value, str):
        raise AdapterError(f"{path}: expected a date, got {value!r}")
    try:
        return date.fromisoformat(value.strip()[:10])
    except ValueError as exc:
        raise AdapterError(f"{path}: not a date: {value!r}") from exc


_UTC_OFFSET = re.compile(r"^([+-])(\d{1,2})[.:]?(\d{2})$")
MAX_UTC_OFFSET = timedelta(hours=14)


def parse_utc_offset(raw: str, path: str) -> timezone:
    """A carrier's separate offset field: `-04.00` (UPS), `-7:00` / `+05:30` (USPS), `-0400`."""
    match = _UTC_OFFSET.match(raw.strip())
    if match is None:
        raise AdapterError(f"{path}: expected a UTC offset such as -04:00, got {raw!r}")
    sign, hours, minutes = match.groups()
    delta = timedelta(hours=int(hours), minutes=int(minutes))
    if delta > MAX_UTC_OFFSET or int(minutes) >= 60:
        raise AdapterError(f"{path}: not a UTC offset: {raw!r}")
    return timezone(-delta if sign == "-" else delta)
