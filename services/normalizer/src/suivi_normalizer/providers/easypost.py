"""EasyPost adapter: the Event EasyPost POSTs to a webhook (`tracker.created` / `tracker.updated`,
`result` = a Tracker) → one checkpoint per `result.tracking_details[]` entry.

Documentation source (read for these tables):
- EasyPost API docs, "Tracker" (https://docs.easypost.com/docs/trackers, "Tracker object"):
  the 10 `status` values and the 28 `status_detail` values; the same lists are in EasyPost's
  own client, EasyPost/easypost-csharp `EasyPost/Models/API/Tracker.cs`.
- EasyPost support, "Tracking Frequently Asked Questions" / "Understanding Trackers"
  (https://support.easypost.com/hc/en-us/articles/360044353091), "Tracker Status Definitions".
- EasyPost, "Failed deliveries, second attempts, final details": a failed attempt that will be
  retried stays `in_transit`; when the carrier stops trying, the detail becomes
  `return_to_sender`, `available_for_pickup` or `failure`.

Choices (the golden fixtures depend on them):
- Raw code: `status/status_detail` (e.g. `in_transit/arrived_at_facility`), or `status` alone
  when the entry has no detail (older bodies). The detail is looked up first; the status refines
  it: `delivered`, `return_to_sender`, `cancelled` and `available_for_pickup` are decisive (the
  detail only adds its reason); under `failure`/`error` a movement or attempt detail becomes an
  `exception` keeping its substatus (`failure/delayed` → exception/carrier_delay);
  `status_update` and `unknown` details say nothing, so the status table answers. An unmapped
  detail falls back to its status (substatus `unknown_code`); an unmapped status to in_transit
  (a scan exists, so the parcel is somewhere in the network), flagged the same way.
- Returns: `return_to_sender` means "on its way back" unless the message says the parcel was
  delivered to the sender/shipper; a `delivered` scan later than a return scan is the return
  arriving (returned_to_sender), never a delivery to the consignee.
- Times: the docs say EasyPost writes each scan's local offset when the tracking_location is
  enough to geocode it, and UTC ('Z') otherwise. Offsets and 'Z' are therefore kept as given.
  The older belief that a 'Z' is the scan's local wall time is not applied: a real production
  FedEx body (tracker.updated of 2023-04-26) has its "Delivered" scan at 19:15:54Z and the Event
  created at 19:23:47Z; read as Pacific local time the delivery would postdate its own webhook.
  A time with no offset at all (undocumented) is placed by timeparse.parse_placed: the scan's
  country, city or state, else the carrier_detail's origin/destination countries, else UTC;
  `time_basis` says which.
- Estimate: `carrier_detail.est_delivery_date_local` (a local date) or else the date part of
  `est_delivery_date` (EasyPost sends date-only estimates as `YYYY-MM-DDT00:00:00Z`; the day
  written is kept, never shifted), on the latest checkpoint(s) only: older scans did not carry it.
- Bodies: an Event that is not `tracker.*` (batch, refund, …) and a tracker with an empty or
  null history yield no checkpoint (a `pre_transit`/`unknown` tracker without scans: registered,
  no news yet; the tracker shows it pending); anything unreadable raises AdapterError naming the
  JSON path, except optional parts, dropped and counted as degraded: a `tracking_location` that
  is not an object, an unreadable estimate.
- Carrier: EasyPost's carrier name folded to a slug (`DHLExpress` → `dhl`, `Canada Post` →
  `canada-post`, through the shared table in suivi_schemas.carriers); the tracker's carrier
  is used for every scan (`source` is who reported it).
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import datetime
from typing import Any

from suivi_normalizer.providers import common
from suivi_normalizer.providers.base import (
    AdapterError,
    Checkpoint,
    CodeTable,
    Meaning,
    Parsed,
    require,
    text,
)
from suivi_normalizer.providers.timeparse import parse_date
from suivi_schemas import EstimatedDelivery
from suivi_schemas.carriers import canonical_carrier
from suivi_schemas.status import EstimateSource, Reason, ShipmentStatus, Substatus

SLUG = "easypost"

S = ShipmentStatus
U = Substatus

# Tracker `status` (docs: "The current status of the package").
STATUSES = CodeTable(
    SLUG,
    {
        "unknown": Meaning(S.PENDING, U.NOT_FOUND),  # "The carrier has no available tracking info"
        "pre_transit": Meaning(S.INFO_RECEIVED, U.INFO_RECEIVED),
        "in_transit": Meaning(S.IN_TRANSIT, U.IN_TRANSIT),
        "out_for_delivery": Meaning(S.OUT_FOR_DELIVERY, U.OUT_FOR_DELIVERY),
        "delivered": Meaning(S.DELIVERED, U.DELIVERED),
        "available_for_pickup": Meaning(
            S.AVAILABLE_FOR_PICKUP, U.ARRIVED_AT_PICKUP_POINT, action_required=True
        ),
        "return_to_sender": Meaning(S.RETURNING_TO_SENDER, U.RETURN_TO_SENDER),
        "failure": Meaning(S.EXCEPTION),
        "cancelled": Meaning(S.CANCELLED, U.CANCELLED),
        "error": Meaning(S.EXCEPTION),
    },
)

# `status_detail` (docs: "Additional details about the current status"), each read with the
# status EasyPost usually pairs it with; `_refine` adjusts for the actual status.
DETAILS = CodeTable(
    SLUG,
    {
        "address_correction": Meaning(S.IN_TRANSIT, U.ADDRESS_ISSUE),
        "arrived_at_destination": Meaning(S.IN_TRANSIT, U.ARRIVED_AT_FACILITY),
        "arrived_at_facility": Meaning(S.IN_TRANSIT, U.ARRIVED_AT_FACILITY),
        "arrived_at_pickup_location": Meaning(
            S.AVAILABLE_FOR_PICKUP, U.ARRIVED_AT_PICKUP_POINT, action_required=True
        ),
        "awaiting_information": Meaning(S.EXCEPTION, U.CONTACT_CARRIER, action_required=True),
        "cancelled": Meaning(S.CANCELLED, U.CANCELLED),
        "damaged": Meaning(S.EXCEPTION, U.DAMAGED, reason=Reason.CARRIER),
        "delayed": Meaning(S.IN_TRANSIT, U.CARRIER_DELAY),
        "delivery_exception": Meaning(S.DELIVERY_ATTEMPT_FAILED),
        "departed_facility": Meaning(S.IN_TRANSIT, U.DEPARTED_FACILITY),
        "departed_origin_facility": Meaning(S.IN_TRANSIT, U.DEPARTED_FACILITY),
        "expired": Meaning(S.EXPIRED, U.EXPIRED),
        "failure": Meaning(S.EXCEPTION),
        "held": Meaning(S.IN_TRANSIT, U.HELD_BY_CARRIER),
        "in_transit": Meaning(S.IN_TRANSIT, U.IN_TRANSIT),
        "label_created": Meaning(S.INFO_RECEIVED, U.LABEL_CREATED),
        "lost": Meaning(S.LOST, U.LOST, reason=Reason.CARRIER),
        "missorted": Meaning(S.IN_TRANSIT, U.MISSORTED, reason=Reason.CARRIER),
        "out_for_delivery": Meaning(S.OUT_FOR_DELIVERY, U.OUT_FOR_DELIVERY),
        "received_at_destination_facility": Meaning(S.IN_TRANSIT, U.ARRIVED_AT_FACILITY),
        "received_at_origin_facility": Meaning(S.IN_TRANSIT, U.ACCEPTED),
        "refused": Meaning(S.EXCEPTION, U.REFUSED, reason=Reason.CONSIGNEE),
        "return": Meaning(S.RETURNING_TO_SENDER, U.RETURN_TO_SENDER),
        "transferred_to_destination_carrier": Meaning(S.IN_TRANSIT, U.TRANSFERRED_TO_CARRIER),
        "transit_exception": Meaning(S.EXCEPTION, reason=Reason.CARRIER),
        "weather_delay": Meaning(S.IN_TRANSIT, U.WEATHER_DELAY, reason=Reason.WEATHER),
    },
)

# Documented details that carry no meaning of their own: the status table answers.
GENERIC_DETAILS: frozenset[str] = frozenset({"status_update", "unknown"})

_DECISIVE = frozenset({"delivered", "return_to_sender", "cancelled", "available_for_pickup"})
_ESCALATE = frozenset(
    {S.INFO_RECEIVED, S.IN_TRANSIT, S.OUT_FOR_DELIVERY, S.DELIVERY_ATTEMPT_FAILED}
)
_RETURN_STATUSES = frozenset({S.RETURNING_TO_SENDER, S.RETURNED_TO_SENDER})
_RETURNED = Meaning(S.RETURNED_TO_SENDER, U.RETURNED_TO_SENDER)
# Origin and destination (`carrier_detail.*_tracking_location`): their countries, when given.
_ENDS = ("origin_tracking_location", "destination_tracking_location")
# "Delivered to shipper", "Return delivered to sender", USPS "Delivered, To Original Sender".
_BACK_AT_SENDER = re.compile(
    r"\bdelivered\b,?\s+(?:back\s+)?to\s+(?:the\s+)?(?:original\s+)?(?:sender|shipper)\b"
    r"|\breturn(?:ed)?\s+(?:was\s+)?delivered\b",
    re.IGNORECASE,
)


def carrier_slug(name: str, path: str) -> str:
    """`USPS` → `usps`, `FedEx` → `fedex`, `DHLExpress` → `dhl`, `Canada Post` → `canada-post`."""
    try:
        return canonical_carrier(name)
    except ValueError as exc:
        raise AdapterError(f"{path}: not a carrier name: {name!r}") from exc


def meaning_for(status: str, detail: str | None, message: str | None) -> tuple[Meaning, bool]:
    """Canonical meaning of one tracking detail, and whether every code in it is mapped."""
    base, known = STATUSES.lookup(status, fallback=S.IN_TRANSIT)
    if detail is None or detail.strip().lower() in GENERIC_DETAILS:
        meaning = base
    else:
        found, detail_known = DETAILS.lookup(detail, fallback=base.status)
        meaning = _refine(status.strip().lower(), base, found) if detail_known else found
        known = known and detail_known
    returning = known and meaning.status is S.RETURNING_TO_SENDER
    if returning and _BACK_AT_SENDER.search(message or "") is not None:
        meaning = replace(_RETURNED, reason=meaning.reason)
    return meaning, known


def _refine(status: str, base: Meaning, detail: Meaning) -> Meaning:
    if status in _DECISIVE:
        return replace(base, reason=base.reason or detail.reason)
    if status in ("failure", "error") and detail.status in _ESCALATE:
        return replace(detail, status=S.EXCEPTION)
    return detail


def parse(payload: Any) -> Parsed:
    if not isinstance(payload, dict):
        raise AdapterError("$: expected an EasyPost Event object")
    if payload.get("object") != "Event":
        raise AdapterError(f"$.object: expected 'Event', got {payload.get('object')!r}")
    description = require(payload, "description", "$")
    if not isinstance(description, str):
        raise AdapterError(f"$.description: expected a string, got {description!r}")
    if not description.startswith("tracker."):
        return Parsed()  # batch.*, refund.*, insurance.*, …: nothing to track
    tracker = require(payload, "result", "$")
    if not isinstance(tracker, dict):
        raise AdapterError("$.result: expected a Tracker object")
    if tracker.get("object", "Tracker") != "Tracker":
        raise AdapterError(f"$.result.object: expected 'Tracker', got {tracker.get('object')!r}")
    tracking_number = text(require(tracker, "tracking_code", "$.result"))
    if tracking_number is None or len(tracking_number) > 64:
        raise AdapterError(f"$.result.tracking_code: not a tracking number: {tracking_number!r}")
    carrier_name = require(tracker, "carrier", "$.result")
    if not isinstance(carrier_name, str):
        raise AdapterError(f"$.result.carrier: expected a string, got {carrier_name!r}")
    carrier = carrier_slug(carrier_name, "$.result.carrier")
    # A tracker with no scan yet: no news.
    details = common.optional_list(tracker, "tracking_details", "$.result")
    degraded: list[str] = []
    shipment = common.end_countries(tracker, "carrier_detail", _ENDS)
    checkpoints = [
        _checkpoint(
            entry, f"$.result.tracking_details[{i}]", carrier, tracking_number, shipment, degraded
        )
        for i, entry in enumerate(details)
    ]
    checkpoints = _returns_arriving(checkpoints)
    try:
        estimate = _estimate(tracker)
    except AdapterError:
        degraded.append("$.result.estimate")  # optional: the scans stand without it
        estimate = None
    if estimate is None or not checkpoints:
        return Parsed(checkpoints, degraded)
    latest = max(cp.occurred_at for cp in checkpoints)
    return Parsed(
        [
            replace(cp, estimated_delivery=estimate) if cp.occurred_at == latest else cp
            for cp in checkpoints
        ],
        degraded,
    )


def _checkpoint(
    entry: Any,
    path: str,
    carrier: str,
    tracking_number: str,
    shipment: tuple[str | None, ...],
    degraded: list[str],
) -> Checkpoint:
    if not isinstance(entry, dict):
        raise AdapterError(f"{path}: expected a TrackingDetail object")
    status = common.required_code(require(entry, "status", path), f"{path}.status")
    detail = common.optional_string(entry, "status_detail", path)
    message = text(entry.get("message")) or text(entry.get("description"))
    # EasyPost sometimes writes a country name ("United States"): resolved (places.country_code).
    where = common.address_location(
        entry.get("tracking_location"), f"{path}.tracking_location", degraded
    )
    placed = common.placed_at(entry.get("datetime"), f"{path}.datetime", where, shipment)
    found = meaning_for(status, detail, message)
    code = f"{status.strip()}/{detail}" if detail else status.strip()
    return common.checkpoint(carrier, tracking_number, placed, code, found, message, where)


def _returns_arriving(checkpoints: list[Checkpoint]) -> list[Checkpoint]:
    """A `delivered` scan later than a return scan is the return reaching the sender."""
    returns = [cp.occurred_at for cp in checkpoints if cp.meaning.status in _RETURN_STATUSES]
    if not returns:
        return checkpoints
    first_return: datetime = min(returns)
    return [
        replace(cp, meaning=replace(_RETURNED, reason=cp.meaning.reason))
        if cp.known and cp.meaning.status is S.DELIVERED and cp.occurred_at > first_return
        else cp
        for cp in checkpoints
    ]


def _estimate(tracker: dict[str, Any]) -> EstimatedDelivery | None:
    carrier_detail = tracker.get("carrier_detail")
    if carrier_detail is not None and not isinstance(carrier_detail, dict):
        raise AdapterError("$.result.carrier_detail: expected a CarrierDetail object")
    local = text((carrier_detail or {}).get("est_delivery_date_local"))
    if local is not None:
        day = parse_date(local, "$.result.carrier_detail.est_delivery_date_local")
    else:
        raw = text(tracker.get("est_delivery_date"))
        if raw is None:
            return None
        day = parse_date(raw, "$.result.est_delivery_date")
    return EstimatedDelivery.on(day, EstimateSource.CARRIER)
