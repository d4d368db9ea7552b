"""What the carrier modules of issue 17 share: each reads its body into `Scan`s, this turns them
into checkpoints through the carrier's code table (one place for time placement, locations,
the estimate on the latest checkpoint and the refusals' wording).

Carriers whose events carry no code (Australia Post, GLS, Mondial Relay) name each event by the
documented phrase its description starts with (`phrase_code`); the parcel-level status they
report instead applies to the latest event only (`Scan.code` of that event), never to older ones.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from suivi_normalizer.providers.base import (
    AdapterError,
    Checkpoint,
    CodeTable,
    Parsed,
    alpha2,
    location_of,
    text,
)
from suivi_normalizer.providers.common import checkpoint, estimate_on_latest
from suivi_normalizer.providers.timeparse import parse_placed
from suivi_schemas import EstimatedDelivery, ShipmentStatus

NO_CODE = "event"  # the code of an event whose words match no documented phrase


@dataclass(frozen=True, slots=True)
class Scan:
    """One carrier event as its module read it; `when` is ISO 8601 (offset optional)."""

    code: str
    when: object
    path: str
    message: str | None = None
    city: str | None = None
    region: str | None = None
    postal_code: str | None = None
    country: str | None = None
    zone: str | None = None  # a zone name the carrier gave beside a local time
    fallback: ShipmentStatus | None = None  # for an unknown code, when the event says more


@dataclass(frozen=True, slots=True)
class Parcel:
    """Who carries which number, and the countries that place local times without a place."""

    carrier: str
    number: str
    countries: tuple[str, ...] = ()
    estimate: EstimatedDelivery | None = None


def checkpoints(
    parcel: Parcel,
    scans: Iterable[Scan],
    table: CodeTable,
    *,
    fallback: ShipmentStatus = ShipmentStatus.IN_TRANSIT,
    degraded: Iterable[str] = (),
) -> Parsed:
    """The scans as checkpoints (the carrier's order kept); the estimate on the latest one."""
    read: list[Checkpoint] = []
    for scan in scans:
        found = table.lookup(scan.code, scan.fallback or fallback)
        country = alpha2(scan.country)
        placed = parse_placed(
            scan.when,
            scan.path,
            country=country,
            zone_name=scan.zone,
            region=scan.region,
            city=scan.city,
            shipment=parcel.countries,
        )
        place = location_of(text(scan.city), text(scan.region), text(scan.postal_code), country)
        code, message = scan.code.strip()[:64] or NO_CODE, text(scan.message)
        read.append(checkpoint(parcel.carrier, parcel.number, placed, code, found, message, place))
    estimate_on_latest(read, parcel.estimate)
    return Parsed(read, degraded)


def one_place_scan(
    code: str, when: object, path: str, words: str | None, place: str | None
) -> Scan:
    """A scan whose one place field is a country when it names one, else a city (4PX's
    `occurLocation`, YunExpress's `ProcessLocation`)."""
    country = alpha2(place) if place else None
    return Scan(code, when, path, words, city=None if country else place, country=country)


def phrase_code(words: str | None, phrases: Mapping[str, str]) -> str:
    """The code of the first documented phrase `words` start with (case-insensitive)."""
    folded = (words or "").strip().casefold()
    for phrase, code in phrases.items():
        if folded.startswith(phrase.casefold()):
            return code
    return NO_CODE


def obj(value: Any, path: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise AdapterError(f"{path}: expected an object")
    return value


def items(value: Any, path: str) -> list[Any]:
    """A list, a single object (XML and some JSON APIs send one item bare) or nothing."""
    if value is None:
        return []
    if isinstance(value, dict):
        return [value]
    if not isinstance(value, list):
        raise AdapterError(f"{path}: expected a list")
    return value


def number(value: Any, path: str) -> str:
    """A tracking number: a non-blank string (or integer) of at most 64 characters."""
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str) or not value.strip() or len(value.strip()) > 64:
        raise AdapterError(f"{path}: not a tracking number: {value!r}")
    return value.strip()


def string(value: Any, path: str) -> str | None:
    """An optional string field; another type is refused with its path."""
    if value is None or isinstance(value, str):
        return text(value)
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    raise AdapterError(f"{path}: expected a string, got {value!r}")


def latest_code(phrase: str, status: str | None, table: CodeTable, decisive: frozenset[str]) -> str:
    """The newest event's code: the parcel's own status when it is `decisive` and says another
    status than the event's phrase (a safe-place delivery stays one under "Delivered")."""
    if status not in decisive:
        return phrase
    fallback = ShipmentStatus.IN_TRANSIT
    if table.lookup(phrase, fallback)[0].status is table.lookup(status, fallback)[0].status:
        return phrase
    return status
