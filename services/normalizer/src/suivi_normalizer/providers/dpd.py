"""DPD ParcelLifeCycleService 2.0 (`getTrackingData`, SOAP) answers → checkpoints.

Documentation read: DPD's web services (DPD Germany "DPD Web Services" for customers:
LoginService 2.1 `getAuth` → `authToken` for a `delisId`, then ParcelLifeCycleService 2.0
`getTrackingData(parcelLabelNumber)` with the token in the SOAP header; the service's XSD,
ParcelLifecycleServiceV20.xsd) and the answer recorded in karrio's dpd connector:
`trackingresult` with `shipmentInfo` and `statusInfo[]` of `status`, `label`, `description`,
`location`, `date` (each a `content` text), `statusHasBeenReached`, `isCurrentStatus`;
faults such as DELICOM_ERR_AUTHENTICATION. The tracker publishes the XML in its JSON envelope
(providers/xmldoc.py).

Only statuses the parcel has reached (`statusHasBeenReached` true) are checkpoints; the
others are DPD's planned steps. Codes: the `status` values of the recorded answers; any other is
in_transit/unknown_code. ReturningFromDelivery ("After an unsuccessful delivery attempt the
parcel is back at the recipient depot") is a failed attempt, not out for delivery. Dates are
US-style local times ("8/17/2021 7:11:26 PM"), placed by the country in the location
("Puurs (BE)").
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from suivi_normalizer.providers.base import AdapterError, CodeTable, Meaning, Parsed
from suivi_normalizer.providers.scans import Parcel, Scan, checkpoints, items, number, obj
from suivi_normalizer.providers.xmldoc import envelope, find
from suivi_schemas import ShipmentStatus
from suivi_schemas.status import Substatus

SLUG = "dpd"
S, X = ShipmentStatus, Substatus

TABLE = CodeTable(
    SLUG,
    {
        "PickedUp": Meaning(S.IN_TRANSIT, X.PICKED_UP),  # DPD has received your parcel
        "BetweenDepots": Meaning(S.IN_TRANSIT, X.IN_TRANSIT),  # at the parcel dispatch centre
        "Depot": Meaning(S.IN_TRANSIT, X.ARRIVED_AT_FACILITY),  # at parcel delivery centre
        "Courier": Meaning(S.OUT_FOR_DELIVERY, X.OUT_FOR_DELIVERY),  # on its way to the consignee
        "DeliveryFailure": Meaning(S.DELIVERY_ATTEMPT_FAILED, X.RECIPIENT_UNAVAILABLE),
        "ReturningFromDelivery": Meaning(S.DELIVERY_ATTEMPT_FAILED, X.NOTICE_LEFT),
        "ParcelShop": Meaning(  # delivered by driver to Pickup parcelshop
            S.AVAILABLE_FOR_PICKUP, X.ARRIVED_AT_PICKUP_POINT, action_required=True
        ),
        "Delivered": Meaning(S.DELIVERED, X.DELIVERED),
    },
    case_sensitive=True,
)

_COUNTRY = re.compile(r"\(([A-Z]{2})\)\s*$")


def _content(node: Any) -> str | None:
    """DPD wraps each text in `content` (sometimes twice: description/content/content)."""
    while isinstance(node, dict):
        node = node.get("content")
    if isinstance(node, list):
        node = node[0] if node else None
        return _content(node)
    return node.strip() or None if isinstance(node, str) else None


def _when(value: str | None, path: str) -> str:
    try:
        return datetime.strptime(value or "", "%m/%d/%Y %I:%M:%S %p").isoformat()
    except ValueError:
        raise AdapterError(f"{path}: not a DPD date (M/D/YYYY h:mm:ss AM|PM): {value!r}") from None


def parse(payload: Any) -> Parsed:
    polled, root = envelope(payload, "DPD getTrackingData")
    result = find(root, "trackingresult")
    if not isinstance(result, dict):
        if find(root, "Fault") is not None or find(root, "faultCodes") is not None:
            return Parsed()  # a refusal (authentication, unknown parcel): nothing to track
        raise AdapterError("$.xml: no trackingresult (a DPD getTrackingData answer)")
    parcel = Parcel(SLUG, number(polled, "$.number"))
    scans = []
    for i, info in enumerate(items(result.get("statusInfo"), "$.xml.trackingresult.statusInfo")):
        path = f"$.xml.trackingresult.statusInfo[{i}]"
        info = obj(info, path)
        if info.get("statusHasBeenReached") != "true":
            continue
        code = info.get("status")
        if not isinstance(code, str) or not code:
            raise AdapterError(f"{path}.status: missing")
        place = _content(info.get("location"))
        country = _COUNTRY.search(place or "")
        scans.append(
            Scan(
                code=code,
                when=_when(_content(info.get("date")), f"{path}.date"),
                path=f"{path}.date",
                message=_content(info.get("description")) or _content(info.get("label")),
                city=_COUNTRY.sub("", place).strip() if place else None,
                country=country[1] if country else None,
            )
        )
    return checkpoints(parcel, scans, TABLE)
