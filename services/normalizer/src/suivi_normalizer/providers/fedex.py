"""FedEx adapter: FedEx Track API v1 results → one checkpoint per scan event.

The body is a Track API response or what FedEx's tracking webhook (Advanced Integrated
Visibility) pushes: both carry `output.completeTrackResults[].trackResults[]`; the webhook adds
`outputMetaData` beside `output`. Every scan event of every track result becomes a checkpoint.

Documentation source (read for the table):
- FedEx Developer Portal, "API Reference" guide, table "Tracking Status Codes"
  (https://developer.fedex.com/api/en-us/guides/api-reference.html#trackingstatuscodes):
  the movement codes AA … TR and the regulatory codes CC, CD, CP, EA, SP. Its "Possession"
  column (CA carrier, RC recipient, SH shipper, CU customs, BR broker, TP transfer partner)
  says who holds the package, not what happened: not event types, not mapped.
- Same guide, table "Status Code and Statuses for Webhook Tracking Events" (Ship, In-Transit,
  Delivery, Exceptions, EDD, CDO groups): adds AE, AS, DO, HA, IN, IP, LC, MD, PR, RA, RT, US.
- FedEx Track API (developer.fedex.com/api/en-us/catalog/track/v1/docs.html), changelog of
  15 Oct 2021 (AE/AO in `scanEvents[].eventType`) and response schema: `trackingNumberInfo`,
  `scanEvents[]` (date, eventType, eventDescription, exceptionCode, exceptionDescription,
  derivedStatusCode, scanLocation), `dateAndTimes[]`, `estimatedDeliveryTimeWindow`,
  `standardTransitTimeWindow`; the webhook's schema (TestWebhookOutputVO) wraps the same output.

Choices (the golden fixtures depend on them):
- Raw code: the scan's `eventType` (else its `derivedStatusCode`). An unmapped event type gets
  the status of the scan's `derivedStatusCode` when that one is mapped, else in_transit (a scan
  exists, so FedEx has the parcel), with substatus `unknown_code`.
- Codes the two tables word differently are read so that both wordings hold: EA (Enroute to
  Airport / Export Approved), TR (Transfer / "Enroute to delivery": in transit, not out for
  delivery), DY (Delay / EDD "Delivery updated": a rescheduled delivery), IN ("On Demand Care
  completed"). DD, DE, SE and CD are FedEx's "Exceptions" group; DE is a failed delivery.
- A delivery (DL) later than a return scan (RS, RT) on the same tracking number is the return
  reaching the shipper: returned_to_sender, never a delivery to the recipient.
- Message: `eventDescription`, then `exceptionDescription` when it adds something.
- Times: scan `date` is local time with its offset (e.g. 2024-05-09T10:26:00-05:00), kept as
  given. An offset-less midnight (a Ground pickup scan "2024-08-15T00:00:00") is a day
  without a time: local noon, so it does not precede the label created that morning. An
  offset-less time (undocumented) is placed by timeparse.parse_placed: the scan's country,
  city or state (`stateOrProvinceCode`), else the shipper's and recipient's countries,
  else UTC; `time_basis` says which.
- Estimate, on the latest checkpoint of each track result, unless it is a delivery or an
  ACTUAL_DELIVERY date exists: `estimatedDeliveryTimeWindow.window`, else the
  ESTIMATED_DELIVERY entry of `dateAndTimes`, else `standardTransitTimeWindow.window.ends`
  (FedEx's service commitment, detail "standard transit"; dropped when it ended before the
  latest scan: a missed commitment says nothing of the arrival). A time of exactly midnight is
  a date without a time; its day is the one written.
- A delivery (DL) of a track result naming who received it (`deliveryDetails.receivedByName`
  or `signedByName`) is `signed`; the name itself is never kept.
- DY whose words say "delay" ("Delay: Package delayed") is a carrier delay, not a rescheduled
  delivery; a weather delay (its words or `delayDetail.type` WEATHER) is weather_delay.
- Carrier: `fedex` for every service (Express, Ground, Ground Economy, Freight: the
  `carrierCode` FDXE/FDXG/FXSP/FXFR is one carrier for the shipment key).
- A track result with an `error` (e.g. TRACKING.TRACKINGNUMBER.NOTFOUND) and no scan events, or
  no scan events at all, yields nothing: registered, no news yet (the tracker shows it pending).
  An `error` beside scan events does not hide them: the scans are read and the error counted as
  a degraded parse. `latestStatusDetail` repeats the latest scan without a time: not a checkpoint.
- Null-tolerant (degraded, counted per field): a `scanLocation` that is not an object is dropped;
  an unreadable estimate is dropped, the scans kept.
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
    alpha2,
    field_name,
    location_of,
    text,
)
from suivi_normalizer.providers.fedex_estimate import delivery_estimate, has_actual_delivery, stale
from suivi_schemas import Location
from suivi_schemas.carriers import canonical_carrier
from suivi_schemas.status import Reason, ShipmentStatus, Substatus

SLUG = "fedex"
CARRIER = canonical_carrier("FedEx")

S = ShipmentStatus
U = Substatus

# Every documented event type (both tables of the API Reference guide), with FedEx's wording.
EVENT_TYPES = CodeTable(
    SLUG,
    {
        "AA": Meaning(S.IN_TRANSIT, U.ARRIVED_AT_FACILITY),  # At Airport
        "AC": Meaning(S.IN_TRANSIT, U.TRANSFERRED_TO_CARRIER),  # At Canada Post facility
        "AD": Meaning(S.OUT_FOR_DELIVERY, U.OUT_FOR_DELIVERY),  # At Delivery
        "AE": Meaning(S.IN_TRANSIT, U.DELIVERY_RESCHEDULED),  # Shipment arriving early
        "AF": Meaning(S.IN_TRANSIT, U.ARRIVED_AT_FACILITY),  # At local FedEx Facility
        "AO": Meaning(S.IN_TRANSIT, U.DELIVERY_SCHEDULED),  # Shipment arriving On-time
        "AP": Meaning(S.INFO_RECEIVED, U.AWAITING_PICKUP),  # At Pickup
        "AR": Meaning(S.IN_TRANSIT, U.ARRIVED_AT_FACILITY),  # Arrived at FedEx location
        "AS": Meaning(S.IN_TRANSIT, U.ADDRESS_ISSUE),  # Address Corrected
        "AX": Meaning(S.IN_TRANSIT, U.TRANSFERRED_TO_CARRIER),  # At USPS facility
        "CA": Meaning(S.CANCELLED, U.CANCELLED),  # Shipment Cancelled
        "CC": Meaning(S.IN_TRANSIT, U.CUSTOMS_CLEARED),  # Cleared Customs
        "CD": Meaning(S.EXCEPTION, U.CUSTOMS_HOLD, reason=Reason.CUSTOMS),  # Clearance Delay
        "CH": Meaning(S.IN_TRANSIT, U.FORWARDED),  # Location Changed
        "CP": Meaning(S.IN_TRANSIT, U.CUSTOMS_PROCESSING),  # Clearance in Progress
        "DD": Meaning(S.EXCEPTION, U.CARRIER_DELAY),  # Delivery Delay
        "DE": Meaning(S.DELIVERY_ATTEMPT_FAILED),  # Delivery Exception
        "DL": Meaning(S.DELIVERED, U.DELIVERED),  # Delivered
        "DO": Meaning(S.IN_TRANSIT, U.ACCEPTED),  # Dropped Off
        "DP": Meaning(S.IN_TRANSIT, U.DEPARTED_FACILITY),  # Departed
        "DR": Meaning(S.IN_TRANSIT, U.OTHER),  # Vehicle furnished but not used
        "DS": Meaning(S.INFO_RECEIVED, U.AWAITING_PICKUP),  # Vehicle Dispatched
        "DY": Meaning(S.IN_TRANSIT, U.DELIVERY_RESCHEDULED),  # Delay / Delivery updated
        "EA": Meaning(S.IN_TRANSIT, U.IN_TRANSIT),  # Enroute to Airport / Export Approved
        "ED": Meaning(S.OUT_FOR_DELIVERY, U.OUT_FOR_DELIVERY),  # Enroute to Delivery
        "EO": Meaning(S.IN_TRANSIT, U.IN_TRANSIT),  # Enroute to Origin Airport
        "EP": Meaning(S.INFO_RECEIVED, U.AWAITING_PICKUP),  # Enroute to Pickup
        "FD": Meaning(S.IN_TRANSIT, U.ARRIVED_AT_FACILITY),  # At FedEx Destination
        "HA": Meaning(S.IN_TRANSIT, U.DELIVERY_RESCHEDULED),  # Hold at location req. accepted
        "HL": Meaning(
            S.AVAILABLE_FOR_PICKUP, U.ARRIVED_AT_PICKUP_POINT, action_required=True
        ),  # Hold at Location
        "HP": Meaning(
            S.AVAILABLE_FOR_PICKUP, U.ARRIVED_AT_PICKUP_POINT, action_required=True
        ),  # Ready for Recipient Pickup
        "IN": Meaning(S.IN_TRANSIT, U.OTHER),  # On Demand Care completed
        "IP": Meaning(S.IN_TRANSIT, U.ACCEPTED),  # In FedEx possession
        "IT": Meaning(S.IN_TRANSIT, U.IN_TRANSIT),  # In Transit / On the way
        "IX": Meaning(S.IN_TRANSIT, U.IN_TRANSIT),  # In transit (see Details)
        "LC": Meaning(S.CANCELLED, U.CANCELLED),  # Return label link cancelled by originator
        "LO": Meaning(S.IN_TRANSIT, U.DEPARTED_FACILITY),  # Left Origin
        "LP": Meaning(S.CANCELLED, U.CANCELLED),  # Return label link cancelled by originator
        "MD": Meaning(S.INFO_RECEIVED, U.INFO_RECEIVED),  # Manifest data
        "OC": Meaning(S.INFO_RECEIVED, U.LABEL_CREATED),  # Order Created / info sent to FedEx
        "OD": Meaning(S.OUT_FOR_DELIVERY, U.OUT_FOR_DELIVERY),  # Out for Delivery
        "OF": Meaning(S.IN_TRANSIT, U.ARRIVED_AT_FACILITY),  # At FedEx origin facility
        "OW": Meaning(S.IN_TRANSIT, U.IN_TRANSIT),  # On the way
        "OX": Meaning(S.IN_TRANSIT, U.TRANSFERRED_TO_CARRIER),  # Shipment info sent to USPS
        "PD": Meaning(S.INFO_RECEIVED, U.CARRIER_DELAY),  # Pickup Delay
        "PF": Meaning(S.IN_TRANSIT, U.IN_TRANSIT),  # Plane in Flight
        "PL": Meaning(S.IN_TRANSIT, U.IN_TRANSIT),  # Plane Landed
        "PM": Meaning(S.IN_TRANSIT, U.IN_TRANSIT),  # In Progress
        "PR": Meaning(S.IN_TRANSIT, U.FORWARDED),  # Performed Redirect (address change done)
        "PU": Meaning(S.IN_TRANSIT, U.PICKED_UP),  # Picked Up
        "PX": Meaning(S.IN_TRANSIT, U.PICKED_UP),  # Picked up (see Details)
        "RA": Meaning(S.IN_TRANSIT, U.DELIVERY_RESCHEDULED),  # Address Change Requested
        "RC": Meaning(S.IN_TRANSIT, U.DELIVERY_SCHEDULED),  # CDO Cancelled
        "RD": Meaning(S.CANCELLED, U.EXPIRED),  # Return label link expired
        "RG": Meaning(S.INFO_RECEIVED, U.LABEL_CREATED),  # Return label link expiring soon
        "RM": Meaning(S.IN_TRANSIT, U.DELIVERY_RESCHEDULED),  # CDO Modified
        "RP": Meaning(S.INFO_RECEIVED, U.LABEL_CREATED),  # Return label link emailed
        "RR": Meaning(S.IN_TRANSIT, U.DELIVERY_RESCHEDULED),  # CDO requested
        "RS": Meaning(S.RETURNING_TO_SENDER, U.RETURN_TO_SENDER),  # Return to Shipper
        "RT": Meaning(S.RETURNING_TO_SENDER, U.RETURN_TO_SENDER),  # Return to Shipper Requested
        "SE": Meaning(S.EXCEPTION),  # Shipment Exception
        "SF": Meaning(S.IN_TRANSIT, U.PROCESSED_AT_FACILITY),  # At Sort Facility
        "SP": Meaning(S.IN_TRANSIT, U.OTHER),  # Split Status
        "TR": Meaning(S.IN_TRANSIT, U.IN_TRANSIT),  # Transfer / Enroute to delivery
        "US": Meaning(S.IN_TRANSIT, U.DELIVERY_RESCHEDULED),  # Scheduled delivery updated
    },
)

_RETURN_CODES = frozenset({"RS", "RT"})
_RETURNED = Meaning(S.RETURNED_TO_SENDER, U.RETURNED_TO_SENDER)
_DELAYED = re.compile(r"\bdelay(?:ed)?\b", re.IGNORECASE)
_WEATHER = re.compile(r"\bweather\b", re.IGNORECASE)


def parse(payload: Any) -> Parsed:
    """Every scan event of every track result, the estimate on each result's latest one."""
    if not isinstance(payload, dict):
        raise AdapterError("$: expected a FedEx track response object")
    output = payload.get("output")
    if not isinstance(output, dict):
        raise AdapterError("$.output: expected an object")
    results = common.required_list(output, "completeTrackResults", "$.output")
    checkpoints: list[Checkpoint] = []
    degraded: list[str] = []
    for path, complete in common.objects(results, "$.output.completeTrackResults"):
        for j, result in enumerate(common.optional_list(complete, "trackResults", path)):
            checkpoints += _track_result(result, f"{path}.trackResults[{j}]", complete, degraded)
    return Parsed(checkpoints, degraded)


def _track_result(
    result: Any, path: str, complete: dict[str, Any], degraded: list[str]
) -> list[Checkpoint]:
    if not isinstance(result, dict):
        raise AdapterError(f"{path}: expected an object")
    events = result.get("scanEvents")
    if result.get("error") is not None:
        if not events:
            return []  # not found, not yet available: FedEx says so, there is nothing to track
        # An error beside scans (e.g. a partial-data warning): the scans are FedEx's record.
        degraded.append(field_name(f"{path}.error"))
    number = _tracking_number(result, complete, path)
    events = common.optional_list(result, "scanEvents", path)
    shipment = (
        _party_country(result, "shipperInformation"),
        _party_country(result, "recipientInformation"),
    )
    checkpoints = [
        _checkpoint(event, f"{path}.scanEvents[{k}]", number, shipment, degraded)
        for k, event in enumerate(events)
    ]
    checkpoints = _returns_arriving(checkpoints)
    if not checkpoints:
        return []
    if _signed(result):
        checkpoints = [
            replace(cp, meaning=replace(cp.meaning, substatus=U.SIGNED))
            if cp.known and cp.meaning.substatus is U.DELIVERED
            else cp
            for cp in checkpoints
        ]
    latest = max(range(len(checkpoints)), key=lambda k: (checkpoints[k].occurred_at, k))
    if checkpoints[latest].meaning.status is S.DELIVERED or has_actual_delivery(result, path):
        return checkpoints
    try:
        estimate = delivery_estimate(result, path)
    except AdapterError:
        degraded.append(field_name(f"{path}.estimate"))  # optional: the scans stand without it
        estimate = None
    if estimate is not None and not stale(estimate, checkpoints[latest].occurred_at):
        checkpoints[latest] = replace(checkpoints[latest], estimated_delivery=estimate)
    return checkpoints


def _signed(result: dict[str, Any]) -> bool:
    details = result.get("deliveryDetails")
    if not isinstance(details, dict):
        return False
    return any(text(details.get(k)) for k in ("receivedByName", "signedByName"))


def _party_country(result: dict[str, Any], key: str) -> str | None:
    party = result.get(key)
    address = party.get("address") if isinstance(party, dict) else None
    return text(address.get("countryCode")) if isinstance(address, dict) else None


def _tracking_number(result: dict[str, Any], complete: dict[str, Any], path: str) -> str:
    info = result.get("trackingNumberInfo")
    if info is not None and not isinstance(info, dict):
        raise AdapterError(f"{path}.trackingNumberInfo: expected an object")
    value = (info or {}).get("trackingNumber")
    where = f"{path}.trackingNumberInfo.trackingNumber"
    if value is None:
        value = complete.get("trackingNumber")
    return common.tracking_number(value, where)


def _checkpoint(
    event: Any, path: str, number: str, shipment: tuple[str | None, ...], degraded: list[str]
) -> Checkpoint:
    if not isinstance(event, dict):
        raise AdapterError(f"{path}: expected a scan event object")
    event_type = common.optional_string(event, "eventType", path)
    derived = common.optional_string(event, "derivedStatusCode", path)
    code = event_type or derived
    if code is None:
        raise AdapterError(f"{path}.eventType: missing (and no derivedStatusCode)")
    fallback = S.IN_TRANSIT
    if derived is not None and derived in EVENT_TYPES:
        fallback = EVENT_TYPES.lookup(derived, S.IN_TRANSIT)[0].status
    meaning, known = EVENT_TYPES.lookup(code, fallback)
    message = _message(event)
    if code == "DY" and message and _DELAYED.search(message):
        meaning = _delay(message, event.get("delayDetail"))  # "Delay: Package delayed"
    try:
        location = _location(event.get("scanLocation"), f"{path}.scanLocation")
    except AdapterError:
        degraded.append(field_name(f"{path}.scanLocation"))
        location = None
    day = _day_if_midnight(event.get("date"))
    placed = common.placed_at(day, f"{path}.date", location, shipment)
    return common.checkpoint(CARRIER, number, placed, code, (meaning, known), message, location)


def _day_if_midnight(value: Any) -> Any:
    """An offset-less scan date at exactly midnight ("2024-08-15T00:00:00", a pickup) says the
    day only: its date alone, which timeparse places at local noon."""
    if isinstance(value, str) and len(value) == 19 and value.endswith("T00:00:00"):
        return value[:10]
    return value


def _delay(message: str, detail: Any) -> Meaning:
    kind = detail.get("type") if isinstance(detail, dict) else None
    if kind == "WEATHER" or _WEATHER.search(message):
        return Meaning(S.IN_TRANSIT, U.WEATHER_DELAY, reason=Reason.WEATHER)
    return Meaning(S.IN_TRANSIT, U.CARRIER_DELAY)


def _message(event: dict[str, Any]) -> str | None:
    description = text(event.get("eventDescription"))
    exception = text(event.get("exceptionDescription"))
    if exception is None or (description and exception.lower() == description.lower()):
        return description
    return f"{description}: {exception}" if description else exception


def _location(value: Any, path: str) -> Location | None:
    if value is None:
        return None
    if not isinstance(value, dict):
        raise AdapterError(f"{path}: expected an object")
    country = text(value.get("countryCode"))
    return location_of(
        text(value.get("city")),
        text(value.get("stateOrProvinceCode")),
        text(value.get("postalCode")),
        alpha2(country),  # a name or alpha-3 is resolved (places.country_code)
    )


def _returns_arriving(checkpoints: list[Checkpoint]) -> list[Checkpoint]:
    """A delivery later than a return scan is the return reaching the shipper."""
    returns = [cp.occurred_at for cp in checkpoints if cp.code.upper() in _RETURN_CODES]
    if not returns:
        return checkpoints
    first: datetime = min(returns)
    return [
        replace(cp, meaning=_RETURNED)
        if cp.known and cp.meaning.status is S.DELIVERED and cp.occurred_at > first
        else cp
        for cp in checkpoints
    ]
