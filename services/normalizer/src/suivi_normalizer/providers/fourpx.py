"""4PX tracking answers (open API `tr.order.tracking.get`) → checkpoints.

Documentation read: 4PX's open platform for customers (open.4px.com, API
`tr.order.tracking.get`, signed with the app key and secret): answer `result` ("1" success),
`msg`, `data` with `deliveryOrderNo` and `trackingList[]` of `businessLinkCode`,
`trackingContent`, `occurDatetime` (local, "yyyy-MM-dd HH:mm:ss"), `occurLocation`,
`destinationCountry`. The business link codes are internal to 4PX and their list is not public:
events are named by the English phrase `trackingContent` starts with (PHRASES), like the other
code-less carriers (providers/scans.py), and an unmatched one is in_transit/unknown_code.
Deployments without a 4PX account follow 4PX parcels through an aggregator instead (AfterShip
`4px`, 17TRACK; docs/tracking.md).

Times are local to `occurLocation` when it names a country or a city of the shipment's
countries (China and `destinationCountry`), else read as UTC (`time_basis` says so). An answer
with `result` other than "1" makes no checkpoint.
"""

from __future__ import annotations

from typing import Any

from suivi_normalizer.providers import scans as sc
from suivi_normalizer.providers.base import AdapterError, CodeTable, Meaning, Parsed, alpha2
from suivi_schemas import ShipmentStatus
from suivi_schemas.status import Substatus

SLUG = "4px"
S, X = ShipmentStatus, Substatus

TABLE = CodeTable(
    SLUG,
    {
        "info-received": Meaning(S.INFO_RECEIVED, X.INFO_RECEIVED),
        "picked-up": Meaning(S.IN_TRANSIT, X.PICKED_UP),
        "inbound": Meaning(S.IN_TRANSIT, X.ARRIVED_AT_FACILITY),
        "outbound": Meaning(S.IN_TRANSIT, X.DEPARTED_FACILITY),
        "flight": Meaning(S.IN_TRANSIT, X.IN_TRANSIT),
        "arrived-destination": Meaning(S.IN_TRANSIT, X.ARRIVED_IN_DESTINATION_COUNTRY),
        "customs": Meaning(S.IN_TRANSIT, X.CUSTOMS_PROCESSING),
        "customs-cleared": Meaning(S.IN_TRANSIT, X.CUSTOMS_CLEARED),
        "handed-over": Meaning(S.IN_TRANSIT, X.TRANSFERRED_TO_CARRIER),
        "delivered": Meaning(S.DELIVERED, X.DELIVERED),
    },
)

PHRASES = {
    "Parcel information received": "info-received",
    "Shipment information received": "info-received",
    "Picked up": "picked-up",
    "Arrived at 4PX facility": "inbound",
    "Depart from facility": "outbound",
    "Departed from facility": "outbound",
    "Flight departed": "flight",
    "Arrived at destination country": "arrived-destination",
    "Import customs clearance started": "customs",
    "Import customs clearance completed": "customs-cleared",
    "Handed over to last mile carrier": "handed-over",
    "Delivered": "delivered",
}


def parse(payload: Any) -> Parsed:
    body = sc.obj(payload, "$")
    if str(body.get("result")) != "1":
        if "result" in body:
            return Parsed()  # a refusal (unknown order, signature): nothing known
        raise AdapterError("$.result: missing (a 4PX tr.order.tracking.get answer)")
    data = sc.obj(body.get("data"), "$.data")
    entries = [
        sc.obj(e, f"$.data.trackingList[{i}]")
        for i, e in enumerate(sc.items(data.get("trackingList"), "$.data.trackingList"))
    ]
    destination = next((c for e in entries if (c := alpha2(e.get("destinationCountry")))), None)
    parcel = sc.Parcel(
        SLUG,
        sc.number(data.get("deliveryOrderNo"), "$.data.deliveryOrderNo"),
        ("CN", *filter(None, [destination])),
    )
    scans = []
    for i, entry in enumerate(entries):
        where = f"$.data.trackingList[{i}]"
        words = sc.string(entry.get("trackingContent"), f"{where}.trackingContent")
        place = sc.string(entry.get("occurLocation"), f"{where}.occurLocation")
        code, when = sc.phrase_code(words, PHRASES), entry.get("occurDatetime")
        scans.append(sc.one_place_scan(code, when, f"{where}.occurDatetime", words, place))
    return sc.checkpoints(parcel, scans, TABLE)
