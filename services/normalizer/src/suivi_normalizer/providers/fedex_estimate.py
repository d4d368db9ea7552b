"""FedEx's delivery estimate of one track result (module fedex): `estimatedDeliveryTimeWindow`,
else the ESTIMATED_DELIVERY entry of `dateAndTimes`, else the `standardTransitTimeWindow`
commitment (detail "standard transit"), and whether that commitment is stale."""

from __future__ import annotations

from datetime import datetime, time
from typing import Any

from suivi_normalizer.providers import common
from suivi_normalizer.providers.base import AdapterError, text
from suivi_normalizer.providers.timeparse import parse_datetime
from suivi_schemas import EstimatedDelivery
from suivi_schemas.status import EstimateSource

_MIDNIGHT = time(0, 0)


def _dates(result: dict[str, Any], path: str) -> list[tuple[int, dict[str, Any]]]:
    entries = common.optional_list(result, "dateAndTimes", path)
    return [(i, entry) for i, entry in enumerate(entries) if isinstance(entry, dict)]


def has_actual_delivery(result: dict[str, Any], path: str) -> bool:
    return any(entry.get("type") == "ACTUAL_DELIVERY" for _, entry in _dates(result, path))


def delivery_estimate(result: dict[str, Any], path: str) -> EstimatedDelivery | None:
    window = _window(result, "estimatedDeliveryTimeWindow", path)
    if window is not None:
        return _between(window, None)
    for i, entry in _dates(result, path):
        if entry.get("type") == "ESTIMATED_DELIVERY" and text(entry.get("dateTime")):
            at = (entry["dateTime"], f"{path}.dateAndTimes[{i}].dateTime")
            return _between((at, at), None)
    standard = _window(result, "standardTransitTimeWindow", path)
    if standard is not None and standard[1][0] is not None:
        return _between((standard[1], standard[1]), "standard transit")
    return None


def stale(estimate: EstimatedDelivery, latest: datetime) -> bool:
    """A service commitment already past at the latest scan no longer says when it arrives."""
    if estimate.detail != "standard transit":
        return False
    end = estimate.latest_at
    return end < latest if end is not None else estimate.latest < latest.date()


_Bound = tuple[str | None, str]


def _window(result: dict[str, Any], key: str, path: str) -> tuple[_Bound, _Bound] | None:
    """(begins, ends) of `key.window` with their paths; None when absent or empty."""
    value = result.get(key)
    if value is None:
        return None
    window = value.get("window") if isinstance(value, dict) else None
    if window is None:
        return None
    if not isinstance(window, dict):
        raise AdapterError(f"{path}.{key}.window: expected an object")
    begins, ends = text(window.get("begins")), text(window.get("ends"))
    if begins is None and ends is None:
        return None
    where = f"{path}.{key}.window"
    return (begins, f"{where}.begins"), (ends, f"{where}.ends")


def _between(bounds: tuple[_Bound, _Bound], detail: str | None) -> EstimatedDelivery:
    (begins, begins_path), (ends, ends_path) = bounds
    start = parse_datetime(*((begins, begins_path) if begins else (ends, ends_path)))
    end = parse_datetime(*((ends, ends_path) if ends else (begins, begins_path)))
    if end < start:
        raise AdapterError(f"{ends_path}: before {begins_path}")
    return EstimatedDelivery(
        earliest=start.date(),
        latest=end.date(),
        earliest_at=None if start.timetz().replace(tzinfo=None) == _MIDNIGHT else start,
        latest_at=None if end.timetz().replace(tzinfo=None) == _MIDNIGHT else end,
        source=EstimateSource.CARRIER,
        detail=detail,
    )
