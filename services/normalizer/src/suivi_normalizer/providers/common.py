"""What the per-carrier parsers share, as karrio's connectors share a common module: optional
fields read with their JSON path, the tracking number, a scan's time placed by its own place, a
checkpoint from that time and its looked-up meaning, and the estimate on the latest checkpoint.

Only logic that means the same for every carrier lives here; each carrier's choices (which
field, which fallback, which latest checkpoint) stay in its own module.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from datetime import datetime
from typing import Any

from suivi_normalizer.providers.base import AdapterError, Checkpoint, Meaning, location_from, text
from suivi_normalizer.providers.timeparse import parse_placed
from suivi_schemas import EstimatedDelivery, Location, TimeBasis

MAX_NUMBER = 64  # characters in a tracking number, as every adapter refuses longer ones


def first(obj: dict[str, Any], *keys: str) -> Any:
    """The value of the first of `keys` that is present and not null (current field names
    before legacy ones), else None."""
    return next((obj[k] for k in keys if obj.get(k) is not None), None)


def optional_object(container: dict[str, Any], key: str, path: str) -> dict[str, Any] | None:
    """container[key] when it is an object, None when absent or null; else refused."""
    value = container.get(key)
    if value is None:
        return None
    if not isinstance(value, dict):
        raise AdapterError(f"{path}.{key}: expected an object")
    return value


def optional_list(container: dict[str, Any], key: str, path: str) -> list[Any]:
    """container[key] when it is a list, [] when absent or null; else refused."""
    value = container.get(key)
    if value is None:
        return []
    if not isinstance(value, list):
        raise AdapterError(f"{path}.{key}: expected a list")
    return value


def required_list(container: dict[str, Any], key: str, path: str) -> list[Any]:
    """container[key], which must be a list."""
    value = container.get(key)
    if not isinstance(value, list):
        raise AdapterError(f"{path}.{key}: expected a list")
    return value


def objects(values: list[Any], path: str) -> Iterator[tuple[str, dict[str, Any]]]:
    """(path, item) of each item of the list at `path`; an item that is not an object is
    refused when it is reached."""
    for i, value in enumerate(values):
        at = f"{path}[{i}]"
        if not isinstance(value, dict):
            raise AdapterError(f"{at}: expected an object")
        yield at, value


def optional_string(container: dict[str, Any], key: str, path: str) -> str | None:
    """container[key] stripped (None when absent, null or blank); another type is refused."""
    value = container.get(key)
    if value is not None and not isinstance(value, str):
        raise AdapterError(f"{path}.{key}: expected a string, got {value!r}")
    return text(value)


def end_countries(
    parent: dict[str, Any], key: str, ends: tuple[str, ...]
) -> tuple[str | None, ...]:
    """The `country` of each address object `parent[key][end]` (None where an end is not an
    object): the shipment's countries that place local times without a place; () without
    `parent[key]`."""
    holder = parent.get(key)
    if not isinstance(holder, dict):
        return ()
    places = (holder.get(end) for end in ends)
    return tuple(
        text(place.get("country")) if isinstance(place, dict) else None for place in places
    )


def required_code(value: Any, path: str, expected: str = "a status code") -> str:
    """A code that must be there: a non-blank string, stripped; else refused as not `expected`."""
    if not isinstance(value, str) or not value.strip():
        raise AdapterError(f"{path}: expected {expected}, got {value!r}")
    return value.strip()


def tracking_number(value: Any, path: str, expected: str = "a tracking number") -> str:
    """A non-blank string of at most MAX_NUMBER characters, stripped; `expected` names it in
    the refusal."""
    number = text(value) if isinstance(value, str) else None
    if number is None:
        raise AdapterError(f"{path}: expected {expected}, got {value!r}")
    if len(number) > MAX_NUMBER:
        raise AdapterError(f"{path}: longer than 64 characters: {number[:70]!r}")
    return number


def placed_at(
    value: object,
    path: str,
    where: Location | None,
    shipment: tuple[object, ...] = (),
    zone: str | None = None,
) -> tuple[datetime, TimeBasis]:
    """timeparse.parse_placed with the scan's own place (country, region, city) when known."""
    if where is None:
        return parse_placed(value, path, zone_name=zone, shipment=shipment)
    return parse_placed(
        value,
        path,
        country=where.country,
        zone_name=zone,
        region=where.region,
        city=where.city,
        shipment=shipment,
    )


def address_location(value: Any, path: str, degraded: list[str]) -> Location | None:
    """The place of an address object named `city`, `state`, `zip`, `country` (EasyPost's and
    Shippo's); a malformed one is dropped and its field noted in `degraded`."""
    return location_from(
        value,
        path,
        city="city",
        region="state",
        postal_code="zip",
        country="country",
        degraded=degraded,
    )


def checkpoint(
    carrier: str,
    number: str,
    placed: tuple[datetime, TimeBasis],
    code: str,
    found: tuple[Meaning, bool],
    message: str | None = None,
    location: Location | None = None,
    estimate: EstimatedDelivery | None = None,
) -> Checkpoint:
    """A checkpoint from its time as parse_placed gives it and its (meaning, known) as
    CodeTable.lookup gives them."""
    occurred_at, basis = placed
    meaning, known = found
    # Positional: half the cost of keywords for this frozen dataclass, on every scan read.
    return Checkpoint(
        carrier, number, occurred_at, code, meaning, known, message, location, estimate, basis
    )


# The order checkpoint() passes Checkpoint's fields in.
_FIELDS = ("carrier", "tracking_number", "occurred_at", "code", "meaning", "known", "message",
           "location", "estimated_delivery", "time_basis")  # fmt: skip
if tuple(f.name for f in dataclasses.fields(Checkpoint)) != _FIELDS:
    raise ImportError("providers.base.Checkpoint's fields moved: update common.checkpoint")


def estimate_on_latest(checkpoints: list[Checkpoint], estimate: EstimatedDelivery | None) -> None:
    """The estimate on the first of the latest checkpoints (max keeps the first: the copy
    normalize keeps on duplicates), in place; nothing without an estimate or checkpoints."""
    if estimate is None or not checkpoints:
        return
    latest = max(range(len(checkpoints)), key=lambda i: checkpoints[i].occurred_at)
    checkpoints[latest] = dataclasses.replace(checkpoints[latest], estimated_delivery=estimate)
