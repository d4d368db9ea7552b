"""Shippo adapter: the body of a `track_updated` webhook → checkpoints.

Documentation source (read for this table):
- Shippo tracking guide, "Event definitions": the statuses PRE_TRANSIT, TRANSIT, DELIVERED,
  RETURNED, FAILURE, UNKNOWN and the 27 substatus codes with their "Action Required" column,
  https://docs.goshippo.com/docs/tracking/tracking/#event-definitions (the page the API
  reference's `substatus.code` field links to; formerly goshippo.com/docs/tracking).
- API reference, Track object (https://docs.goshippo.com/shippoapi/public-api/, schema `Track`,
  mirrored by goshippo/shippo-python-sdk `models/components/track.py`): `tracking_status`,
  `tracking_history` ("starting with the earlier tracking event first"), `eta`, and
  `status_date` ("Date and time when the carrier scanned this tracking event. This is displayed
  in UTC.").

Choices, documented here because the golden fixtures depend on them:
- Raw code: `STATUS` when there is no substatus, else `STATUS/substatus` (e.g.
  `TRANSIT/package_arrived`). Substatuses are looked up by that pair, so a documented code under
  an undocumented parent (`RETURNED/delivered`: a return reaching the sender) is flagged
  `unknown_code` with the parent's status instead of being read as a delivery.
- Shippo has no top-level out-for-delivery or failed-attempt status: both come from TRANSIT
  substatuses. Action-required TRANSIT problems (address_issue, contact_carrier, package_held,
  package_damaged) are `exception`; failed-attempt ones are `delivery_attempt_failed`.
- `action_required` is Shippo's own `substatus.action_required` when it is a boolean, else the
  table's value (the documented flag).
- Times: Shippo documents `status_date` as UTC; a value without an offset (test mode sends
  them) is therefore read as UTC (parse_datetime's fallback; no country zone is applied).
- `tracking_status` is Shippo's copy of the latest history entry. It is skipped when the history
  already holds an entry with the same `object_id` or the same instant (to the second): the
  copy sometimes carries another code than the history entry it repeats (seen in real bodies:
  TRANSIT/out_for_delivery "Delivered" beside DELIVERED/delivered), which would otherwise
  become a near-duplicate event with a conflicting status.
- No news yet: an entry without `status_date` has no carrier event behind it. An `UNKNOWN` one
  ("The carrier has not yet provided any tracking information") yields no checkpoint and no
  error: the body normalizes to nothing and the tracker shows the tracking as registered,
  `pending` (docs/tracking.md). An undated entry of any other status is skipped too, and counted
  as a degraded parse (`suivi_normalizer_degraded_parses`).
- Null-tolerant (degraded, counted per field, never dead-lettered for these): `data.carrier`
  null or blank → the body's top-level `carrier`, else the service level token's prefix
  (`usps_priority` → usps), else the number's detected carrier when it is high-confidence
  (suivi_schemas.detection); a `location` that is not an object is dropped; an unreadable `eta`
  is dropped.
- `eta` (the carrier's estimate) goes on the latest checkpoint. An ETA at exactly midnight is a
  date without a time (Shippo sends date-only ETAs as `YYYY-MM-DDT00:00:00Z`); its day is the
  one written, never shifted into another zone.
"""

from __future__ import annotations

import dataclasses
import re
from datetime import time
from typing import Any

from suivi_normalizer.providers import common
from suivi_normalizer.providers.base import (
    AdapterError,
    Checkpoint,
    CodeTable,
    Meaning,
    Parsed,
    field_name,
    text,
)
from suivi_normalizer.providers.timeparse import parse_datetime, parse_placed
from suivi_schemas import EstimatedDelivery
from suivi_schemas.carriers import canonical_carrier
from suivi_schemas.detection import HIGH_CONFIDENCE, detect
from suivi_schemas.status import EstimateSource, Reason, ShipmentStatus, Substatus

SLUG = "shippo"

S = ShipmentStatus
U = Substatus

# Top-level `status`, used alone when an entry has no substatus (Shippo test mode never sends
# one) and as the fallback status of an unmapped substatus.
STATUS_TABLE = CodeTable(
    SLUG,
    {
        "PRE_TRANSIT": Meaning(S.INFO_RECEIVED),
        "TRANSIT": Meaning(S.IN_TRANSIT),
        "DELIVERED": Meaning(S.DELIVERED),
        # "en route to be returned to the sender, or has been returned": the canonical table
        # maps the bare status to returned; the en-route case carries `return_to_sender`.
        "RETURNED": Meaning(S.RETURNED_TO_SENDER),
        # "an issue with the delivery … not a technical, but a delivery issue".
        "FAILURE": Meaning(S.EXCEPTION),
        # "The package has not been found via the carrier's tracking system."
        "UNKNOWN": Meaning(S.PENDING, U.NOT_FOUND),
    },
)

# Every documented STATUS/substatus pair; `True` where the docs tick "Action Required".
SUBSTATUS_TABLE = CodeTable(
    SLUG,
    {
        "PRE_TRANSIT/information_received": Meaning(S.INFO_RECEIVED, U.INFO_RECEIVED),
        "TRANSIT/address_issue": Meaning(S.EXCEPTION, U.ADDRESS_ISSUE, True),
        "TRANSIT/contact_carrier": Meaning(S.EXCEPTION, U.CONTACT_CARRIER, True),
        # No cause given; carrier_delay is the canonical enum's generic delay.
        "TRANSIT/delayed": Meaning(S.IN_TRANSIT, U.CARRIER_DELAY),
        # No canonical substatus says "attempted" without a cause: the status says it.
        "TRANSIT/delivery_attempted": Meaning(S.DELIVERY_ATTEMPT_FAILED, None, True),
        "TRANSIT/delivery_rescheduled": Meaning(S.IN_TRANSIT, U.DELIVERY_RESCHEDULED),
        "TRANSIT/delivery_scheduled": Meaning(S.IN_TRANSIT, U.DELIVERY_SCHEDULED),
        "TRANSIT/location_inaccessible": Meaning(
            S.DELIVERY_ATTEMPT_FAILED, U.LOCATION_INACCESSIBLE, True, Reason.CONSIGNEE
        ),
        "TRANSIT/notice_left": Meaning(S.DELIVERY_ATTEMPT_FAILED, U.NOTICE_LEFT, True),
        "TRANSIT/out_for_delivery": Meaning(S.OUT_FOR_DELIVERY, U.OUT_FOR_DELIVERY),
        "TRANSIT/package_accepted": Meaning(S.IN_TRANSIT, U.ACCEPTED),
        "TRANSIT/package_arrived": Meaning(S.IN_TRANSIT, U.ARRIVED_AT_FACILITY),
        "TRANSIT/package_damaged": Meaning(S.EXCEPTION, U.DAMAGED, True, Reason.CARRIER),
        "TRANSIT/package_departed": Meaning(S.IN_TRANSIT, U.DEPARTED_FACILITY),
        "TRANSIT/package_forwarded": Meaning(S.IN_TRANSIT, U.FORWARDED),
        "TRANSIT/package_held": Meaning(S.EXCEPTION, U.HELD_BY_CARRIER, True),
        "TRANSIT/package_processed": Meaning(S.IN_TRANSIT, U.PROCESSED_AT_FACILITY),
        # "processing at an intermediate location": closest canonical is processed.
        "TRANSIT/package_processing": Meaning(S.IN_TRANSIT, U.PROCESSED_AT_FACILITY),
        "TRANSIT/pickup_available": Meaning(
            S.AVAILABLE_FOR_PICKUP, U.ARRIVED_AT_PICKUP_POINT, True
        ),
        # "Contact carrier to reschedule delivery": a redelivery the recipient must arrange.
        "TRANSIT/reschedule_delivery": Meaning(S.DELIVERY_ATTEMPT_FAILED, None, True),
        "DELIVERED/delivered": Meaning(S.DELIVERED, U.DELIVERED),
        "RETURNED/return_to_sender": Meaning(S.RETURNING_TO_SENDER, U.RETURN_TO_SENDER),
        # Listed under RETURNED: unclaimed at the carrier, so on its way back.
        "RETURNED/package_unclaimed": Meaning(
            S.RETURNING_TO_SENDER, U.RETURN_TO_SENDER, True, Reason.CONSIGNEE
        ),
        # Not delivered, but not gone either (it is usually returned next): not terminal.
        "FAILURE/package_undeliverable": Meaning(S.EXCEPTION, U.UNDELIVERABLE, True),
        "FAILURE/package_disposed": Meaning(S.LOST, U.DISPOSED),
        "FAILURE/package_lost": Meaning(S.LOST, U.LOST, True, Reason.CARRIER),
        # "Unrecognized carrier status": Shippo itself could not classify the scan.
        "UNKNOWN/other": Meaning(S.PENDING, U.OTHER),
    },
)

# Shippo carrier tokens whose Suivi slug differs; any other token is kept as it is.
_TOKEN = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")
_COUNTRY = re.compile(r"^[A-Za-z]{2}$")
_MIDNIGHT = time(0, 0)


def parse(payload: Any) -> Parsed:
    """One checkpoint per history entry (and `tracking_status` if it is new), ETA on the latest."""
    if not isinstance(payload, dict):
        raise AdapterError("body: expected a JSON object")
    event = payload.get("event")
    if event is not None and event != "track_updated":
        raise AdapterError(f"event: expected 'track_updated', got {event!r}")
    data = payload.get("data")
    if not isinstance(data, dict):
        raise AdapterError("data: expected the Track object")
    tracking_number = common.tracking_number(
        data.get("tracking_number"), "data.tracking_number", "a string"
    )
    degraded: list[str] = []
    carrier = _carrier(data.get("carrier"), payload, data, tracking_number, degraded)

    history = common.optional_list(data, "tracking_history", "data")
    read = [
        _checkpoint(entry, f"data.tracking_history[{i}]", carrier, tracking_number, degraded)
        for i, entry in enumerate(history)
    ]
    checkpoints = [cp for cp in read if cp is not None]
    current = data.get("tracking_status")
    if current is not None:
        latest = _checkpoint(current, "data.tracking_status", carrier, tracking_number, degraded)
        if latest is not None and not _repeats_history(current, latest, history, checkpoints):
            checkpoints.append(latest)

    eta = data.get("eta")
    if checkpoints and eta is not None and eta != "":
        # Repeated entries share an id downstream, which keeps the copy carrying the estimate.
        last = max(
            range(len(checkpoints)), key=lambda i: (checkpoints[i].occurred_at, checkpoints[i].code)
        )
        estimate = _eta(eta, degraded)
        checkpoints[last] = dataclasses.replace(checkpoints[last], estimated_delivery=estimate)
    return Parsed(checkpoints, degraded)


def _checkpoint(
    entry: Any, path: str, carrier: str, tracking_number: str, degraded: list[str]
) -> Checkpoint | None:
    """None for an entry without a date: UNKNOWN ones are "no news yet"; others are noted."""
    if not isinstance(entry, dict):
        raise AdapterError(f"{path}: expected an object")
    status = common.required_code(entry.get("status"), f"{path}.status", "a status string")
    if entry.get("status_date") is None:
        if status.upper() != "UNKNOWN":
            degraded.append(field_name(f"{path}.status_date"))
        return None
    # Documented as UTC: no place is applied to a time without an offset (basis `utc`).
    placed = parse_placed(entry.get("status_date"), f"{path}.status_date")
    base, known = STATUS_TABLE.lookup(status, fallback=S.PENDING)
    sub_code, flag = _substatus(entry.get("substatus"), f"{path}.substatus")
    code, meaning = status, base
    if sub_code is not None:
        code = f"{status}/{sub_code}"
        meaning, sub_known = SUBSTATUS_TABLE.lookup(code, fallback=base.status)
        known = known and sub_known
    if flag is not None and flag != meaning.action_required:
        meaning = dataclasses.replace(meaning, action_required=flag)
    message = _message(entry.get("status_details"))
    where = common.address_location(entry.get("location"), f"{path}.location", degraded)
    found = (meaning, known)
    return common.checkpoint(carrier, tracking_number, placed, code, found, message, where)


def _substatus(value: Any, path: str) -> tuple[str | None, bool | None]:
    """(code, Shippo's action_required flag); `substatus: null` is common (test mode)."""
    if value is None:
        return None, None
    if not isinstance(value, dict):
        raise AdapterError(f"{path}: expected an object")
    flag = value.get("action_required")
    return common.optional_string(value, "code", path), flag if isinstance(flag, bool) else None


def _repeats_history(
    raw: Any, current: Checkpoint, history: list[Any], checkpoints: list[Checkpoint]
) -> bool:
    object_id = text(raw.get("object_id"))
    if object_id and any(
        isinstance(entry, dict) and text(entry.get("object_id")) == object_id for entry in history
    ):
        return True
    instant = current.occurred_at.replace(microsecond=0)
    return any(cp.occurred_at.replace(microsecond=0) == instant for cp in checkpoints)


def _eta(value: Any, degraded: list[str]) -> EstimatedDelivery | None:
    try:
        at = parse_datetime(value, "data.eta")
    except AdapterError:
        degraded.append("data.eta")  # an estimate is optional: the checkpoints stand without it
        return None
    precise = at if at.timetz().replace(tzinfo=None) != _MIDNIGHT else None
    return EstimatedDelivery.on(at.date(), EstimateSource.CARRIER, at=precise)


def _carrier(
    value: Any, payload: dict[str, Any], data: dict[str, Any], number: str, degraded: list[str]
) -> str:
    """`data.carrier`; when null or blank, the body's top-level `carrier`, the service level's
    token prefix (`usps_priority` → usps), else the number's detected carrier when confident."""
    if value is None or (isinstance(value, str) and not value.strip()):
        found = _carrier_elsewhere(payload, data, number)
        if found is None:
            raise AdapterError(f"data.carrier: expected a Shippo carrier token, got {value!r}")
        degraded.append("data.carrier")
        return found
    if not isinstance(value, str):
        raise AdapterError(f"data.carrier: expected a Shippo carrier token, got {value!r}")
    token = value.strip().lower()
    if not _TOKEN.match(token):
        raise AdapterError(f"data.carrier: not a carrier token: {value!r}")
    return canonical_carrier(token)


def _carrier_elsewhere(payload: dict[str, Any], data: dict[str, Any], number: str) -> str | None:
    top = payload.get("carrier")
    if isinstance(top, str) and _TOKEN.match(top.strip().lower()):
        return canonical_carrier(top.strip().lower())
    level = data.get("servicelevel")
    token = level.get("token") if isinstance(level, dict) else None
    if isinstance(token, str) and _TOKEN.match(prefix := token.strip().lower().split("_", 1)[0]):
        return canonical_carrier(prefix)
    candidates = detect(number)
    if candidates and candidates[0].confidence >= HIGH_CONFIDENCE:
        return candidates[0].carrier
    return None


def _message(value: Any) -> str | None:
    """`status_details`, unchanged; blank means none."""
    return value if isinstance(value, str) and value.strip() else None
