"""YunExpress tracking answers (`GET /api/Tracking/GetTrackInfo?OrderNumber=`) → checkpoints.

Documentation read: YunExpress's open API for customers (OMS API, "查询轨迹信息"
GetTrackInfo: Basic auth with the customer code and API secret; answer `ResultCode` "0000"
with `Item` of `WaybillNumber`, `TrackingNumber`, `CountryCode`, `PackageState` (0 unknown,
1 submitted, 2 in transit, 3 delivered, 4 received by YunExpress, 5 cancelled, 6 delivery
failed, 7 returned) and `OrderTrackingDetails[]` of `ProcessDate`, `ProcessContent`,
`ProcessLocation`), the shape karrio's former yunexpress connector (and purplship's) read
(`Items`, `OrderTrackingDetails`).

Events carry no code: each is named by the English phrase its `ProcessContent` starts with
(PHRASES); `PackageState` names the newest event when it says another status than that phrase
(providers/scans.py `latest_code`). Unmatched contents are in_transit/unknown_code.
`ProcessDate` is local time without an offset: placed in `ProcessLocation` when it names a
country, else in a city of the shipment's countries (China and `CountryCode`), else by those
countries when their clocks agree, else read as UTC (timeparse's order, with `time_basis`).
An error `ResultCode` without `Item` makes no checkpoint.
"""

from __future__ import annotations

from typing import Any

from suivi_normalizer.providers import scans as sc
from suivi_normalizer.providers.base import AdapterError, CodeTable, Meaning, Parsed, alpha2
from suivi_schemas import Reason, ShipmentStatus
from suivi_schemas.status import Substatus

SLUG = "yunexpress"
S, X = ShipmentStatus, Substatus

TABLE = CodeTable(
    SLUG,
    {
        # PackageState
        "1": Meaning(S.INFO_RECEIVED, X.INFO_RECEIVED),
        "2": Meaning(S.IN_TRANSIT, X.IN_TRANSIT),
        "3": Meaning(S.DELIVERED, X.DELIVERED),
        "4": Meaning(S.IN_TRANSIT, X.ACCEPTED),
        "5": Meaning(S.CANCELLED, X.CANCELLED),
        "6": Meaning(S.DELIVERY_ATTEMPT_FAILED, X.OTHER),
        "7": Meaning(S.RETURNED_TO_SENDER, X.RETURNED_TO_SENDER),
        # ProcessContent phrases
        "info-received": Meaning(S.INFO_RECEIVED, X.INFO_RECEIVED),
        "received": Meaning(S.IN_TRANSIT, X.ACCEPTED),
        "departed": Meaning(S.IN_TRANSIT, X.DEPARTED_FACILITY),
        "arrived": Meaning(S.IN_TRANSIT, X.ARRIVED_AT_FACILITY),
        "customs": Meaning(S.IN_TRANSIT, X.CUSTOMS_PROCESSING),
        "customs-cleared": Meaning(S.IN_TRANSIT, X.CUSTOMS_CLEARED),
        "customs-held": Meaning(S.EXCEPTION, X.CUSTOMS_HOLD, reason=Reason.CUSTOMS),
        "destination": Meaning(S.IN_TRANSIT, X.ARRIVED_IN_DESTINATION_COUNTRY),
        "last-mile": Meaning(S.IN_TRANSIT, X.TRANSFERRED_TO_CARRIER),
        "out-for-delivery": Meaning(S.OUT_FOR_DELIVERY, X.OUT_FOR_DELIVERY),
        "delivered": Meaning(S.DELIVERED, X.DELIVERED),
    },
)
_STATES = frozenset({"1", "3", "5", "6", "7"})

PHRASES = {
    "Shipment information received": "info-received",
    "Order information received": "info-received",
    "Shipment received by YunExpress": "received",
    "Received by YunExpress": "received",
    "Departed": "departed",
    "Arrived at": "arrived",
    "Customs clearance completed": "customs-cleared",
    "Customs clearance started": "customs",
    "Held by customs": "customs-held",
    "Arrived in destination country": "destination",
    "Handed over to last mile carrier": "last-mile",
    "Out for delivery": "out-for-delivery",
    "Delivered": "delivered",
}


def parse(payload: Any) -> Parsed:
    body = sc.obj(payload, "$")
    item = body.get("Item")
    if item is None:
        if body.get("ResultCode") not in (None, "0000"):
            return Parsed()  # an error answer (unknown waybill, bad credentials)
        raise AdapterError("$.Item: missing (a YunExpress GetTrackInfo answer)")
    item = sc.obj(item, "$.Item")
    key = item.get("TrackingNumber") or item.get("WaybillNumber")
    destination = alpha2(item.get("CountryCode"))
    parcel = sc.Parcel(
        SLUG, sc.number(key, "$.Item.TrackingNumber"), ("CN", *filter(None, [destination]))
    )
    state = item.get("PackageState")
    state = str(state) if isinstance(state, int) and not isinstance(state, bool) else None
    events = [
        sc.obj(e, f"$.Item.OrderTrackingDetails[{i}]")
        for i, e in enumerate(
            sc.items(item.get("OrderTrackingDetails"), "$.Item.OrderTrackingDetails")
        )
    ]
    scans = []
    for i, event in enumerate(events):
        where = f"$.Item.OrderTrackingDetails[{i}]"
        words = sc.string(event.get("ProcessContent"), f"{where}.ProcessContent")
        code = sc.phrase_code(words, PHRASES)
        if i == len(events) - 1:  # oldest first: the package state may name the newest
            code = sc.latest_code(code, state, TABLE, _STATES)
        place = sc.string(event.get("ProcessLocation"), f"{where}.ProcessLocation")
        when = event.get("ProcessDate")
        scans.append(sc.one_place_scan(code, when, f"{where}.ProcessDate", words, place))
    return sc.checkpoints(parcel, scans, TABLE)
