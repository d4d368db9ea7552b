"""AfterShip's delivery estimate of a tracking (module aftership): the first found of the
courier's and AfterShip's EDD objects, the latest estimate when its source is the carrier's or
AfterShip's, and the legacy `expected_delivery`; merchant promises are ignored."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from suivi_normalizer.providers import common
from suivi_normalizer.providers.base import AdapterError
from suivi_normalizer.providers.timeparse import parse_date, parse_datetime
from suivi_schemas import EstimatedDelivery
from suivi_schemas.status import EstimateSource

_EDD_SOURCES = {"Carrier EDD": EstimateSource.CARRIER, "AfterShip EDD": EstimateSource.PROVIDER}


def _window(
    lo: Any, hi: Any, path: str, source: EstimateSource, country: str | None, detail: str
) -> EstimatedDelivery:
    def instant(value: Any) -> datetime | None:
        has_time = isinstance(value, str) and len(value.strip()) > 10
        return parse_datetime(value, path, country=country) if has_time else None

    earliest, latest = parse_date(lo, path), parse_date(hi, path)
    if latest < earliest:
        raise AdapterError(f"{path}: estimated delivery window ends before it starts")
    return EstimatedDelivery(
        earliest=earliest,
        latest=latest,
        earliest_at=instant(lo),
        latest_at=instant(hi),
        source=source,
        detail=detail,
    )


def _edd(
    msg: dict[str, Any], key: str, source: EstimateSource, what: str, country: str | None
) -> EstimatedDelivery | None:
    """`courier_estimated_delivery_date` / `aftership_estimated_delivery_date`: a date or window."""
    edd = common.optional_object(msg, key, "$.msg")
    if edd is None:
        return None
    day = edd.get("estimated_delivery_date")
    lo = common.first(edd, "estimated_delivery_date_min", "estimated_delivery_date")
    hi = common.first(edd, "estimated_delivery_date_max", "estimated_delivery_date")
    if not lo or not hi:
        return None
    detail = what
    if edd.get("confidence_code") is not None:
        detail += f", confidence code {edd['confidence_code']}"
    if isinstance(day, str) and str(lo).strip()[:10] != str(hi).strip()[:10]:
        detail += f", most likely {day.strip()[:10]}"  # a window of days with a favourite
    return _window(lo, hi, f"$.msg.{key}", source, country, detail)


def delivery_estimate(msg: dict[str, Any], country: str | None) -> EstimatedDelivery | None:
    carrier = EstimateSource.CARRIER
    found = _edd(msg, "courier_estimated_delivery_date", carrier, "carrier estimate", country)
    found = found or _edd(
        msg, "aftership_estimated_delivery_date", EstimateSource.PROVIDER, "AfterShip AI", country
    )
    if found is not None:
        return found
    latest = common.optional_object(msg, "latest_estimated_delivery", "$.msg")
    if latest is not None and latest.get("source") in _EDD_SOURCES:
        lo = common.first(latest, "datetime_min", "datetime")
        hi = common.first(latest, "datetime_max", "datetime")
        if lo and hi:
            path = "$.msg.latest_estimated_delivery"
            detail = f"latest estimate ({latest['source']})"
            return _window(lo, hi, path, _EDD_SOURCES[latest["source"]], country, detail)
    legacy = msg.get("expected_delivery")  # webhook versions before the EDD objects
    if legacy:
        path = "$.msg.expected_delivery"
        return _window(legacy, legacy, path, carrier, country, "carrier estimate (legacy field)")
    return None
