"""USPS Tracking 3.0 adapter: a tracking details object → one checkpoint per trackingEvents[].

Documentation source (read for this table):
- USPS "Package Tracking and Notification" API 3.x OpenAPI (developers.usps.com/trackingv3,
  version 3.2.4 as vendored by karrio, modules/connectors/usps/.../vendor/usps-tracking.yaml):
  `TrackingDetails` (trackingNumber, status, statusCategory, statusSummary,
  expectedDeliveryTimeStamp, predictedDeliveryDate, trackingEvents[] "in reverse chronological
  order") and `TrackingEvent` (eventType, eventTimestamp, GMTTimestamp "2024-04-04T14:03:12.041Z",
  GMTOffset "-7:00", eventCity, eventState, eventZIP, eventCountry, firm, name, authorizedAgent,
  eventCode: "Refer to ... USPS Pub 199 Appendix G-4: USPS Domestic Tracking Scan Events").
- USPS Publication 199 (Intelligent Mail Package Barcode Implementation Guide), Appendix G-4
  "USPS Domestic Tracking Scan Events": the two-character event codes. The table below holds
  the 56 codes whose descriptions could be read from that appendix as it is reproduced in USPS
  integrations (the USPS::WebTools::Tracking::Codes lookup tables, 49 codes, and the
  pre-shipment / acceptance codes GX, GC, OA, UA, AD, 83, 89 listed with their USPS
  descriptions in eHub's "Tracking Event Descriptions"). International (Appendix G-5) codes are
  not mapped: they come out as `unknown_code`, never guessed. Three more (A1, T1, TL) are read
  from a recorded v3 body, with USPS's own words (fixtures/usps/SOURCES.md).
- A network facility named with its state ("JACKSONVILLE FL DISTRIBUTION CENTER", no
  `eventState`) gets that state as its region.

Choices (the golden fixtures depend on them):
- Raw code: `eventCode` as sent (required: an event without one names its path in the error).
  An unmapped code is in_transit with `unknown_code` (a scan exists).
- Return-to-sender reasons (09, 21-29, 31) are returning_to_sender with the reason as
  substatus; 44 (customer recall) too. After a return scan, movement scans (in transit, out for
  delivery) are the return travelling: returning_to_sender, their substatus kept; a delivery
  (01) after it, or written "Delivered, To Original Sender", is returned_to_sender. 11 (dead
  letter: undeliverable and not returnable) is lost/undeliverable.
- A delivery is `signed` when USPS names the signer (`name`; the name itself is never kept),
  `delivered_to_mailbox` / `delivered_to_safe_place` when eventType says "In/At Mailbox" /
  "Front Door/Porch".
- Times: providers/usps_time.py (GMT instant at its offset, GMT dates that slipped a day,
  local times placed by the event's place, else the shipment's states, else UTC).
- Estimate: `expectedDeliveryTimeStamp` (its date, as written), else `expectedDeliveryDate`, else
  `predictedDeliveryDate`, on the latest checkpoint when that one is not terminal.
- Body: the documented TrackingDetails object (expand=DETAIL). A USPS error body (`error`) and
  a summary-only body (no `trackingEvents`) raise AdapterError, except USPS's "A status update
  is not yet available on your package" (no news yet: nothing, as an empty history).
"""

from __future__ import annotations

import dataclasses
import re
from typing import Any

from suivi_normalizer.providers import common
from suivi_normalizer.providers.base import (
    AdapterError,
    Checkpoint,
    CodeTable,
    Meaning,
    Parsed,
    alpha2,
    location_of,
)
from suivi_normalizer.providers.places import facility_state
from suivi_normalizer.providers.timeparse import parse_date
from suivi_normalizer.providers.usps_time import occurred_at as occurred_at_of
from suivi_normalizer.providers.usps_time import shipment_zone
from suivi_schemas import EstimatedDelivery, Location
from suivi_schemas.carriers import canonical_carrier
from suivi_schemas.status import (
    TERMINAL_STATUSES,
    EstimateSource,
    Reason,
    ShipmentStatus,
    Substatus,
)

SLUG = "usps"

S, U, R = ShipmentStatus, Substatus, Reason
_ATTEMPT = S.DELIVERY_ATTEMPT_FAILED
_BACK = S.RETURNING_TO_SENDER

# eventCode (Pub 199 Appendix G-4); the USPS description is in each comment.
EVENT_CODES = CodeTable(
    SLUG,
    {
        # pre-shipment
        "MA": Meaning(S.INFO_RECEIVED, U.LABEL_CREATED),  # Manifest Acknowledgement
        "GX": Meaning(S.INFO_RECEIVED, U.LABEL_CREATED),  # Shipping Label Created
        "GC": Meaning(S.INFO_RECEIVED, U.INFO_RECEIVED),  # Return Receipt Associated
        "89": Meaning(S.INFO_RECEIVED, U.AWAITING_PICKUP),  # Order Receipt, USPS Awaiting Item
        # acceptance
        "03": Meaning(S.IN_TRANSIT, U.ACCEPTED),  # Accept or Pickup (by carrier)
        "TM": Meaning(S.IN_TRANSIT, U.ACCEPTED),  # Shipment Received, Acceptance Pending
        "PA": Meaning(S.IN_TRANSIT, U.ACCEPTED),  # Passive Acceptance
        "OA": Meaning(S.IN_TRANSIT, U.ACCEPTED),  # Origin Acceptance
        "UA": Meaning(S.IN_TRANSIT, U.ACCEPTED),  # Accepted at USPS Facility
        "AD": Meaning(S.IN_TRANSIT, U.ACCEPTED),  # Acceptance at Destination
        "83": Meaning(S.IN_TRANSIT, U.TRANSFERRED_TO_CARRIER),  # Tendered to Postal Service
        # shipping partners
        "80": Meaning(S.IN_TRANSIT, U.PICKED_UP),  # Picked Up by Shipping Partner
        "81": Meaning(S.IN_TRANSIT, U.ARRIVED_AT_FACILITY),  # Arrived Shipping Partner Facility
        "82": Meaning(S.IN_TRANSIT, U.DEPARTED_FACILITY),  # Departed Shipping Partner Facility
        "42": Meaning(S.IN_TRANSIT, U.TRANSFERRED_TO_CARRIER),  # USPS Handoff to Partner
        # network
        "10": Meaning(S.IN_TRANSIT, U.PROCESSED_AT_FACILITY),  # Processed
        "PC": Meaning(S.IN_TRANSIT, U.PROCESSED_AT_FACILITY),  # Sorting / Processing Complete
        "EF": Meaning(S.IN_TRANSIT, U.DEPARTED_FACILITY),  # Departed Sort Facility
        "SF": Meaning(S.IN_TRANSIT, U.DEPARTED_FACILITY),  # Departed Post Office
        "07": Meaning(S.IN_TRANSIT, U.ARRIVED_AT_FACILITY),  # Arrival at Unit
        "19": Meaning(S.IN_TRANSIT, U.ARRIVED_AT_FACILITY),  # DC eVS Arrive
        "41": Meaning(S.IN_TRANSIT, U.ARRIVED_AT_FACILITY),  # Received at Opening Unit
        # Network scans USPS answers with in recorded v3 bodies (karrio's USPS test recording)
        "A1": Meaning(S.IN_TRANSIT, U.ARRIVED_AT_FACILITY),  # Arrived at USPS Regional Facility
        "T1": Meaning(S.IN_TRANSIT, U.DEPARTED_FACILITY),  # Departed USPS Regional Facility
        "TL": Meaning(S.IN_TRANSIT, U.IN_TRANSIT),  # In Transit to Next Facility
        "08": Meaning(S.IN_TRANSIT, U.MISSORTED, reason=R.CARRIER),  # Missent
        # Mis-shipped: the mailer sent the item to the wrong postal facility
        "15": Meaning(S.IN_TRANSIT, U.MISSORTED, reason=R.RETAILER),
        "06": Meaning(S.IN_TRANSIT, U.FORWARDED),  # Forwarded
        "71": Meaning(S.IN_TRANSIT, U.DELIVERY_RESCHEDULED),  # Rescheduled to Next Delivery Day
        # "The delivery status of your item has not been updated ... may arrive later"
        "DX": Meaning(S.IN_TRANSIT, U.CARRIER_DELAY, reason=R.CARRIER),
        # last mile
        "OF": Meaning(S.OUT_FOR_DELIVERY, U.OUT_FOR_DELIVERY),  # Out for Delivery
        "14": Meaning(S.AVAILABLE_FOR_PICKUP, U.ARRIVED_AT_PICKUP_POINT, True),  # Pickup Point
        "16": Meaning(S.AVAILABLE_FOR_PICKUP, U.ARRIVED_AT_PICKUP_POINT, True),  # Available
        # delivery
        "01": Meaning(S.DELIVERED, U.DELIVERED),  # Delivered
        "17": Meaning(S.DELIVERED, U.PICKED_UP_BY_CUSTOMER),  # Picked Up By Agent
        "43": Meaning(S.DELIVERED, U.PICKED_UP_BY_CUSTOMER),  # Picked Up
        # delivery attempts (Notice Left and its subset)
        "02": Meaning(_ATTEMPT, U.NOTICE_LEFT, True),  # Attempted / Notice Left
        "52": Meaning(_ATTEMPT, U.NOTICE_LEFT, True),  # Notice Left
        "53": Meaning(_ATTEMPT, U.LOCATION_INACCESSIBLE, True, R.CONSIGNEE),  # Receptacle Blocked
        "54": Meaning(_ATTEMPT, U.LOCATION_INACCESSIBLE, True),  # Receptacle Full/Item Oversized
        "55": Meaning(_ATTEMPT, U.LOCATION_INACCESSIBLE, True),  # No Secure Location Available
        "56": Meaning(_ATTEMPT, U.RECIPIENT_UNAVAILABLE, True, R.CONSIGNEE),  # No Authorized Recip.
        "51": Meaning(_ATTEMPT, U.BUSINESS_CLOSED, True, R.CONSIGNEE),  # Business Closed
        "30": Meaning(_ATTEMPT, U.LOCATION_INACCESSIBLE, True, R.CONSIGNEE),  # No Access
        # problems
        "04": Meaning(S.EXCEPTION, U.REFUSED, reason=R.CONSIGNEE),  # Refused
        "05": Meaning(S.EXCEPTION, U.ADDRESS_ISSUE, True),  # Undeliverable as Addressed
        "11": Meaning(S.LOST, U.UNDELIVERABLE),  # Dead Letter
        # return to sender and its reasons
        "09": Meaning(_BACK, U.RETURN_TO_SENDER),  # Return to Sender
        "21": Meaning(_BACK, U.ADDRESS_ISSUE),  # No Such Number
        "22": Meaning(_BACK, U.ADDRESS_ISSUE),  # Insufficient Address
        "23": Meaning(_BACK, U.RECIPIENT_MOVED, reason=R.CONSIGNEE),  # Moved, Left No Address
        "24": Meaning(_BACK, U.RECIPIENT_MOVED, reason=R.CONSIGNEE),  # Forward Expired
        "25": Meaning(_BACK, U.ADDRESS_ISSUE),  # Addressee Unknown
        "26": Meaning(_BACK, U.ADDRESS_ISSUE),  # Vacant
        "27": Meaning(_BACK, U.RETURN_TO_SENDER, reason=R.CONSIGNEE),  # Unclaimed
        "28": Meaning(_BACK, U.UNDELIVERABLE),  # Deceased
        "29": Meaning(_BACK, U.RETURN_TO_SENDER),  # Other
        "31": Meaning(_BACK, U.RETURN_TO_SENDER, reason=R.CONSIGNEE),  # Not Picked Up
        "44": Meaning(_BACK, U.RETURN_TO_SENDER, reason=R.RETAILER),  # Customer Recall
    },
    case_sensitive=True,
)

_RETURNED = Meaning(S.RETURNED_TO_SENDER, U.RETURNED_TO_SENDER)
_MOVING = frozenset({S.IN_TRANSIT, S.OUT_FOR_DELIVERY})
_TO_SENDER = re.compile(r"\bto\s+(?:the\s+)?original\s+sender\b", re.IGNORECASE)
# USPS's "12: A status update is not yet available on your package ..." (error 150001).
_NO_NEWS = re.compile(r"\bnot\s+yet\s+available\b", re.IGNORECASE)
_MAILBOX = re.compile(r"\bmailbox\b", re.IGNORECASE)
_SAFE_PLACE = re.compile(r"\bfront\s+door\b|\bporch\b", re.IGNORECASE)


def meaning_for(
    code: str, event_type: str | None = None, signer: bool = False
) -> tuple[Meaning, bool]:
    """(meaning, known) of one event; `signer`: USPS named who signed for it."""
    meaning, known = EVENT_CODES.lookup(code.strip(), fallback=S.IN_TRANSIT)
    if not known or meaning.substatus is not U.DELIVERED:
        return meaning, known
    if _TO_SENDER.search(event_type or ""):
        return _RETURNED, True
    if signer:
        return dataclasses.replace(meaning, substatus=U.SIGNED), True
    if _MAILBOX.search(event_type or ""):
        return dataclasses.replace(meaning, substatus=U.DELIVERED_TO_MAILBOX), True
    if _SAFE_PLACE.search(event_type or ""):
        return dataclasses.replace(meaning, substatus=U.DELIVERED_TO_SAFE_PLACE), True
    return meaning, True


def parse(payload: Any) -> Parsed:
    if not isinstance(payload, dict):
        raise AdapterError("$: expected a USPS tracking details object")
    if payload.get("error") is not None and payload.get("trackingNumber") is None:
        reason = _error_text(payload["error"])
        if _NO_NEWS.search(reason):
            return Parsed()  # registered, USPS has nothing yet: no checkpoint, no dead letter
        raise AdapterError(f"$.error: USPS error response: {reason}")
    tracking_number = _tracking_number(payload.get("trackingNumber"))
    events = payload.get("trackingEvents")
    if events is None:
        raise AdapterError("$.trackingEvents: missing (a summary body: events need expand=DETAIL)")
    if not isinstance(events, list):
        raise AdapterError("$.trackingEvents: expected a list")
    home = shipment_zone(payload)
    degraded: list[str] = []
    checkpoints = [
        _checkpoint(event, f"$.trackingEvents[{i}]", tracking_number, home, degraded)
        for i, event in enumerate(events)
    ]
    checkpoints = _returns_arriving(checkpoints)
    estimate = _estimate(payload)
    if estimate is not None and checkpoints:
        last = max(range(len(checkpoints)), key=lambda i: (checkpoints[i].occurred_at, i))
        if checkpoints[last].meaning.status not in TERMINAL_STATUSES:
            checkpoints[last] = dataclasses.replace(checkpoints[last], estimated_delivery=estimate)
    return Parsed(checkpoints, dict.fromkeys(degraded))


def _checkpoint(
    event: Any, path: str, tracking_number: str, home: str | None, degraded: list[str]
) -> Checkpoint:
    if not isinstance(event, dict):
        raise AdapterError(f"{path}: expected a TrackingEvent object")
    code = _field(event, "eventCode", path)
    if code is None:
        raise AdapterError(f"{path}.eventCode: missing")
    event_type = _field(event, "eventType", path)
    location = _location(event, path)
    signer = _field(event, "name", path) is not None
    meaning, known = meaning_for(code, event_type, signer)
    placed = occurred_at_of(event, path, location, home, degraded)
    carrier = canonical_carrier("USPS")
    found = (meaning, known)
    return common.checkpoint(carrier, tracking_number, placed, code, found, event_type, location)


def _tracking_number(value: Any) -> str:
    if value is None:
        raise AdapterError("$.trackingNumber: missing")
    return common.tracking_number(value, "$.trackingNumber")


def _error_text(error: Any) -> str:
    if isinstance(error, dict):
        return " ".join(str(error[k]) for k in ("code", "message") if error.get(k)) or "?"
    return repr(error)


_field = common.optional_string


def _location(event: dict[str, Any], path: str) -> Location | None:
    country = _field(event, "eventCountry", path)
    city, region = _field(event, "eventCity", path), _field(event, "eventState", path)
    region = region or facility_state(city)  # "QUEENS NY DISTRIBUTION CENTER": NY
    # Shared, validated once per place (base.location_of); None when every part is empty.
    return location_of(city, region, _field(event, "eventZIP", path), alpha2(country))


def _returns_arriving(checkpoints: list[Checkpoint]) -> list[Checkpoint]:
    """After a return-to-sender scan, movement is the return travelling and a delivery is the
    return reaching the sender."""
    returns = [cp.occurred_at for cp in checkpoints if cp.meaning.status is _BACK]
    if not returns:
        return checkpoints
    first = min(returns)
    result = []
    for cp in checkpoints:
        if cp.known and cp.occurred_at > first:
            if cp.meaning.status is S.DELIVERED:
                cp = dataclasses.replace(cp, meaning=_RETURNED)
            elif cp.meaning.status in _MOVING:
                cp = dataclasses.replace(cp, meaning=dataclasses.replace(cp.meaning, status=_BACK))
        result.append(cp)
    return result


def _estimate(payload: dict[str, Any]) -> EstimatedDelivery | None:
    for key in ("expectedDeliveryTimeStamp", "expectedDeliveryDate", "predictedDeliveryDate"):
        value = _field(payload, key, "$")
        if value is not None:
            return EstimatedDelivery.on(parse_date(value, f"$.{key}"), EstimateSource.CARRIER)
    return None
