"""17TRACK Tracking API v2.2 webhooks (`TRACKING_UPDATED`, `TRACKING_STOPPED`) → checkpoints.

Documentation read (17TRACK's own):
- "Tracking API" v2.2, https://asset.17track.net/api/document/v2.2_en/index.html (same objects in
  v2.4, https://api.17track.net/en/doc?version=v2.4): the webhook envelope (`event`, `data` =
  `number`, `carrier`, `param`, `tag`, `track_info`), the track_info objects (`latest_status`,
  `latest_event`, `time_metrics.estimated_delivery_date`, `milestone`, `tracking.providers[]`
  with `provider` and `events[]`), and the milestone `key_stage` list used by events' `stage`.
- Help center, "Understanding Tracking Status (Main Status & Substatus)",
  https://help.17track.net/hc/en-us/articles/37471096573337 : the 9 main statuses and the
  30 sub-statuses with their descriptions (also in 17TRACK's Chinese descriptions, as copied
  into client code, e.g. the Go structs of a 17TRACK webhook receiver on GitHub).

Mapping: each event's `sub_status` is looked up in SUB_STATUSES (all 30). An event without
`sub_status` (API v2 bodies carry only the milestone `stage`) is looked up in STAGES (all 9).
The raw code is the value read (`InTransit_Arrival`, or `Arrival` for a stage-only event). An
unmapped sub-status is not guessed: it gets the status of its main-status prefix
(`Exception_Held` → exception; else in_transit) with substatus `unknown_code`. An event with
neither field is kept as raw code `unclassified`, in_transit, `unknown_code`. When both fields
are present the sub-status decides (it is the finer one; the stage repeats it).

Events: every `track_info.tracking.providers[].events[]` entry (17TRACK lists the newest first,
per provider; a number handed from one carrier to another has several providers, which often
list the same scan twice: the copies share an event id downstream, so one event comes out).
`latest_event` and `milestone` repeat those events and are not read, except that
`latest_event` is used when no provider lists any event.

No news yet: with no event at all and the main status `NotFound` (the carrier has nothing on the
number yet, `NotFound_Other`, or does not know it, `NotFound_InvalidCode`), no checkpoint is made
and the body is not an error: the tracking stays visible as registered, `pending`, in the
tracker (docs/tracking.md). A checkpoint dated by the sync time would move on every push.

Tracking-level checkpoint (as in the AfterShip adapter): with no event at all under any other
status, or when the main status is `Expired` (17TRACK never puts expiry on an event), one
checkpoint is made from `latest_status` (`sub_status`, else `status`) at the newest
`providers[].latest_sync_time`. Without any sync time there is nothing to date it by and no
checkpoint is made.

Times: `time_iso` is the scan's local time with the carrier's offset and is kept as given (the
same instant as `time_utc`). A `time_iso` without an offset is replaced by `time_utc` when that
exists; otherwise, as for `time_raw` (`date` + `time`, local, `timezone` an offset or zone
when given), it is placed by timeparse.parse_placed: a named zone, else the event's
`address.country`, `city` or `state`, else the shipper's and recipient's countries
(`shipping_info`), else UTC; the event's `time_basis` says which.

Carrier: `data.carrier` (17TRACK's numeric carrier code) names the carrier of every checkpoint
(one shipment stays one key). Common codes are mapped by CARRIER_CODES; any other code by the
name of the provider with that key (`providers[].provider.name`) through canonical_carrier;
failing both, the slug is `17track-<code>`, so that a carrier 17TRACK knows but Suivi cannot
name stays distinct and stable.

Estimate: `time_metrics.estimated_delivery_date` (`from`/`to`, ISO with offset) on the latest
checkpoint only; source "Official" is the carrier's, anything else (17TRACK's own model) is the
provider's. Places: `address` (`country` ISO alpha-2, `state`, `city`, `postal_code`); the
free-text `location` is read only when the address is empty: its last comma-separated part
as the country when it names one ("Germany", "GASQUET, CA, US": a short part before it is the
region), the rest as the city. Message: the
carrier's own `description` (original language), else its translation.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from suivi_normalizer.providers import common
from suivi_normalizer.providers.base import (
    AdapterError,
    Checkpoint,
    alpha2,
    location_of,
    require,
    text,
)
from suivi_normalizer.providers.places import country_code

# The code tables and their lookup live in seventeentrack_codes; named here too (tests, readers).
from suivi_normalizer.providers.seventeentrack_codes import MAIN_STATUSES as MAIN_STATUSES
from suivi_normalizer.providers.seventeentrack_codes import SLUG as SLUG
from suivi_normalizer.providers.seventeentrack_codes import STAGES as STAGES
from suivi_normalizer.providers.seventeentrack_codes import SUB_STATUSES as SUB_STATUSES
from suivi_normalizer.providers.seventeentrack_codes import meaning_for as meaning_for
from suivi_normalizer.providers.timeparse import parse_date, parse_datetime, parse_placed
from suivi_schemas import EstimatedDelivery, EstimateSource, Location, ShipmentStatus
from suivi_schemas.carriers import canonical_carrier
from suivi_schemas.status import TimeBasis

S = ShipmentStatus

# 17TRACK carrier codes (its carrier list, apicarrier.all.json) → carrier names for
# canonical_carrier. Codes not listed go by the provider's name.
CARRIER_CODES: dict[int, str] = {
    21051: "USPS",
    100001: "DHL Express",
    100002: "UPS",
    100003: "FedEx",
    6051: "La Poste",  # 17TRACK's "La Poste" covers Colissimo parcels too
    190271: "Cainiao",
    3011: "China Post",
    11031: "Royal Mail",
    1151: "Australia Post",
    7041: "DHL Paket",  # Deutsche Post's parcels: `deutsche-post`, as DHL's own parcel-de
}

_OFFSET = re.compile(r"(?:Z|[+-]\d{2}(?::?\d{2})?)$", re.IGNORECASE)
NO_NEWS_STATUSES = frozenset({"NotFound"})


def carrier_slug(code: int, providers: list[Any]) -> str:
    """17TRACK's numeric carrier code → Suivi slug (see the module docstring)."""
    name = CARRIER_CODES.get(code)
    if name is None:
        for entry in providers:
            provider = entry.get("provider") if isinstance(entry, dict) else None
            if isinstance(provider, dict) and provider.get("key") == code:
                name = text(provider.get("name"))
                break
    if name is not None:
        try:
            return canonical_carrier(name)
        except ValueError:
            pass
    return f"17track-{code}"


def _country(value: Any) -> str | None:
    return alpha2(value)  # a name or alpha-3 too (places.country_code)


def _location(event: dict[str, Any], path: str) -> Location | None:
    address = common.optional_object(event, "address", path) or {}
    location = location_of(  # shared, validated once per place; None when empty
        text(address.get("city")),
        text(address.get("state")),
        text(address.get("postal_code")),
        _country(address.get("country")),
    )
    if location is None or location.is_empty():
        location = _free_text_place(text(event.get("location")))
    return None if location.is_empty() else location


def _free_text_place(value: str | None) -> Location:
    """17TRACK's `location` line: "Germany", "GASQUET, CA, US", or a city alone."""
    if value is None:
        return Location()
    parts = [p.strip() for p in value.split(",") if p.strip()]
    if len(parts) == 2 and len(parts[1]) == 2:
        return Location(city=parts[0], region=parts[1])  # "LOS ANGELES, CA": CA is no country
    country = country_code(parts[-1]) if parts else None
    if country is None:
        return Location(city=value)
    rest = parts[:-1]
    region = rest.pop() if len(rest) >= 2 and len(rest[-1]) <= 3 else None
    return Location(city=", ".join(rest) or None, region=region, country=country)


def _when(
    event: dict[str, Any], path: str, where: Location | None, shipment: tuple[str | None, ...]
) -> tuple[datetime, TimeBasis]:
    def placed(value: str, at: str, zone: str | None = None) -> tuple[datetime, TimeBasis]:
        return common.placed_at(value, at, where, shipment, zone)

    iso = common.optional_string(event, "time_iso", path)
    if iso is not None and len(iso) > 10 and _OFFSET.search(iso[10:]):
        return parse_datetime(iso, f"{path}.time_iso"), TimeBasis.OFFSET
    utc = common.optional_string(event, "time_utc", path)
    if utc is not None:
        return parse_datetime(utc, f"{path}.time_utc"), TimeBasis.OFFSET
    if iso is not None:
        return placed(iso, f"{path}.time_iso")
    raw = common.optional_object(event, "time_raw", path)
    day = text(raw.get("date")) if raw else None
    if raw is None or day is None:
        raise AdapterError(f"{path}.time_iso: missing (and no time_utc or time_raw.date either)")
    clock, zone = text(raw.get("time")), text(raw.get("timezone"))
    local = f"{day} {clock}" if clock else day
    if zone is not None and clock and _OFFSET.fullmatch(zone):
        return parse_datetime(local + zone, f"{path}.time_raw"), TimeBasis.OFFSET
    return placed(local, f"{path}.time_raw", zone)


def _checkpoint(
    event: Any, path: str, carrier: str, number: str, shipment: tuple[str | None, ...] = ()
) -> Checkpoint:
    if not isinstance(event, dict):
        raise AdapterError(f"{path}: expected an object")
    location = _location(event, path)
    placed = _when(event, path, location, shipment)
    code, meaning, known = meaning_for(
        common.optional_string(event, "sub_status", path),
        common.optional_string(event, "stage", path),
    )
    translation = common.optional_object(event, "description_translation", path) or {}
    message = text(event.get("description")) or text(translation.get("description"))
    return common.checkpoint(carrier, number, placed, code, (meaning, known), message, location)


def _tracking_level(
    info: dict[str, Any], providers: list[Any], carrier: str, number: str
) -> Checkpoint | None:
    status = common.optional_object(info, "latest_status", "$.data.track_info")
    if status is None:
        return None
    path = "$.data.track_info.latest_status"
    main = common.optional_string(status, "status", path)
    sub = common.optional_string(status, "sub_status", path)
    code = sub or main
    if code is None:
        raise AdapterError(f"{path}.status: missing")
    fallback = MAIN_STATUSES.get(main or code.split("_", 1)[0], S.IN_TRANSIT)
    meaning, known = SUB_STATUSES.lookup(code, fallback)
    synced = [
        parse_placed(
            entry["latest_sync_time"],
            f"$.data.track_info.tracking.providers[{i}].latest_sync_time",
        )
        for i, entry in enumerate(providers)
        if isinstance(entry, dict) and text(entry.get("latest_sync_time"))
    ]
    if not synced:
        return None
    latest = max(synced, key=lambda placed: placed[0])
    message = common.optional_string(status, "sub_status_descr", path)
    return common.checkpoint(carrier, number, latest, code, (meaning, known), message)


def _estimate(info: dict[str, Any]) -> EstimatedDelivery | None:
    metrics = common.optional_object(info, "time_metrics", "$.data.track_info") or {}
    path = "$.data.track_info.time_metrics.estimated_delivery_date"
    edd = common.optional_object(
        metrics, "estimated_delivery_date", "$.data.track_info.time_metrics"
    )
    if edd is None:
        return None
    lo, hi = text(edd.get("from")), text(edd.get("to"))
    lo, hi = lo or hi, hi or lo
    if lo is None or hi is None:
        return None
    source = text(edd.get("source"))
    official = source is not None and source.lower() == "official"

    def at(value: str, key: str) -> datetime | None:
        return parse_datetime(value, f"{path}.{key}") if len(value) > 10 else None

    earliest_at, latest_at = at(lo, "from"), at(hi, "to")
    earliest = earliest_at.date() if earliest_at else parse_date(lo, f"{path}.from")
    latest = latest_at.date() if latest_at else parse_date(hi, f"{path}.to")
    if latest < earliest:
        raise AdapterError(f"{path}: estimated delivery window ends before it starts")
    return EstimatedDelivery(
        earliest=earliest,
        latest=latest,
        earliest_at=earliest_at,
        latest_at=latest_at,
        source=EstimateSource.CARRIER if official else EstimateSource.PROVIDER,
        detail=f"17TRACK estimate, source {source or 'not given'}",
    )


def parse(payload: Any) -> list[Checkpoint]:
    if not isinstance(payload, dict):
        raise AdapterError("$: expected a JSON object (a 17TRACK webhook body)")
    event = require(payload, "event", "$")
    if event == "TRACKING_STOPPED":
        return []  # 17TRACK stopped tracking the number: no news about the parcel
    if event != "TRACKING_UPDATED":
        raise AdapterError(f"$.event: expected 'TRACKING_UPDATED' or 'TRACKING_STOPPED': {event!r}")
    data = require(payload, "data", "$")
    if not isinstance(data, dict):
        raise AdapterError("$.data: expected an object (one tracking number)")
    number = text(require(data, "number", "$.data"))
    if number is None or not isinstance(data["number"], str) or len(number) > 64:
        raise AdapterError(f"$.data.number: not a tracking number: {data['number']!r}")
    code = require(data, "carrier", "$.data")
    if isinstance(code, bool) or not isinstance(code, int) or code <= 0:
        raise AdapterError(f"$.data.carrier: expected 17TRACK's numeric carrier code: {code!r}")
    info = require(data, "track_info", "$.data")
    if not isinstance(info, dict):
        raise AdapterError("$.data.track_info: expected an object")
    tracking = common.optional_object(info, "tracking", "$.data.track_info") or {}
    providers = common.optional_list(tracking, "providers", "$.data.track_info.tracking")
    carrier = carrier_slug(code, providers)

    # The shipper's and recipient's countries place local times without a place.
    shipment = common.end_countries(info, "shipping_info", ("shipper_address", "recipient_address"))
    checkpoints: list[Checkpoint] = []
    for path, entry in common.objects(providers, "$.data.track_info.tracking.providers"):
        for j, event_obj in enumerate(common.optional_list(entry, "events", path)):
            at = f"{path}.events[{j}]"
            checkpoints.append(_checkpoint(event_obj, at, carrier, number, shipment))
    if not checkpoints and info.get("latest_event") is not None:
        latest_path = "$.data.track_info.latest_event"
        latest_event = info["latest_event"]
        checkpoints.append(_checkpoint(latest_event, latest_path, carrier, number, shipment))

    status = common.optional_object(info, "latest_status", "$.data.track_info") or {}
    if not checkpoints and status.get("status") in NO_NEWS_STATUSES:
        return []  # registered, no news from the carrier yet (module docstring)
    expired = status.get("status") == "Expired" and all(
        cp.meaning.status is not S.EXPIRED for cp in checkpoints
    )
    if not checkpoints or expired:
        level = _tracking_level(info, providers, carrier, number)
        if level is not None:
            checkpoints.append(level)

    common.estimate_on_latest(checkpoints, _estimate(info))
    return checkpoints
