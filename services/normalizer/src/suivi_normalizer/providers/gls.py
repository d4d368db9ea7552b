"""GLS parcel tracking answers (`rstt001`, the JSON of GLS Group's track and trace) → checkpoints.

Documentation read: GLS's "Track & Trace" for customers (gls-group.eu, the `rstt001` service
behind its tracking page: `GET /app/service/open/rest/{country}/{lang}/rstt001?match=<n>`,
and its authenticated twin on the GLS customer API for contract customers) in the shape
open-source clients read it: `tuStatus[]` of `tuNo`, `progressBar.statusInfo` (the parcel's
status: PREADVICE, INTRANSIT, INWAREHOUSE, INDELIVERY, DELIVERED, DELIVEREDPS, NOTDELIVERED,
CANCELED), `history[]` of `date`, `time`, `evtDscr`, `address` (`city`, `countryName`,
`countryCode`), newest first.

Events carry no code: each is named by the phrase its English description starts with
(PHRASES); the parcel's `statusInfo` names the newest event when it says another status than
that phrase (providers/scans.py `latest_code`). Unmatched descriptions are in_transit/
unknown_code. Times are local to the event's country (`address.countryCode`).
"""

from __future__ import annotations

from typing import Any

from suivi_normalizer.providers import scans as sc
from suivi_normalizer.providers.base import AdapterError, CodeTable, Meaning, Parsed
from suivi_schemas import Reason, ShipmentStatus
from suivi_schemas.status import Substatus

SLUG = "gls"
S, X = ShipmentStatus, Substatus

TABLE = CodeTable(
    SLUG,
    {
        # progressBar.statusInfo
        "PREADVICE": Meaning(S.INFO_RECEIVED, X.INFO_RECEIVED),
        "INTRANSIT": Meaning(S.IN_TRANSIT, X.IN_TRANSIT),
        "INWAREHOUSE": Meaning(S.IN_TRANSIT, X.ARRIVED_AT_FACILITY),
        "INDELIVERY": Meaning(S.OUT_FOR_DELIVERY, X.OUT_FOR_DELIVERY),
        "DELIVERED": Meaning(S.DELIVERED, X.DELIVERED),
        "DELIVEREDPS": Meaning(S.DELIVERED, X.PICKED_UP_BY_CUSTOMER),
        "NOTDELIVERED": Meaning(S.DELIVERY_ATTEMPT_FAILED, X.OTHER),
        "CANCELED": Meaning(S.CANCELLED, X.CANCELLED),
        # history phrases
        "data-entered": Meaning(S.INFO_RECEIVED, X.LABEL_CREATED),
        "handed-over": Meaning(S.IN_TRANSIT, X.ACCEPTED),
        "reached-center": Meaning(S.IN_TRANSIT, X.ARRIVED_AT_FACILITY),
        "left-center": Meaning(S.IN_TRANSIT, X.DEPARTED_FACILITY),
        "in-delivery": Meaning(S.OUT_FOR_DELIVERY, X.OUT_FOR_DELIVERY),
        "absent": Meaning(
            S.DELIVERY_ATTEMPT_FAILED, X.RECIPIENT_UNAVAILABLE, reason=Reason.CONSIGNEE
        ),
        "at-parcelshop": Meaning(
            S.AVAILABLE_FOR_PICKUP, X.ARRIVED_AT_PICKUP_POINT, action_required=True
        ),
        "picked-up-parcelshop": Meaning(S.DELIVERED, X.PICKED_UP_BY_CUSTOMER),
        "delivered": Meaning(S.DELIVERED, X.DELIVERED),
    },
    case_sensitive=False,
)

PHRASES = {
    "The parcel data was entered into the GLS IT system": "data-entered",
    "The parcel was handed over to GLS": "handed-over",
    "The parcel has reached the parcel center": "reached-center",
    "The parcel has left the parcel center": "left-center",
    "The parcel is expected to be delivered during the day": "in-delivery",
    "The parcel could not be delivered as the consignee was absent": "absent",
    "The parcel has been delivered at the ParcelShop": "at-parcelshop",
    "The parcel has been picked up from the ParcelShop": "picked-up-parcelshop",
    "The parcel has been delivered": "delivered",
}
_DECISIVE = frozenset(
    {"PREADVICE", "INDELIVERY", "DELIVERED", "DELIVEREDPS", "NOTDELIVERED", "CANCELED"}
)


def _unit(unit: dict[str, Any], path: str) -> Parsed:
    bar = sc.obj(unit.get("progressBar") or {}, f"{path}.progressBar")
    status = sc.string(bar.get("statusInfo"), f"{path}.progressBar.statusInfo")
    parcel = sc.Parcel(SLUG, sc.number(unit.get("tuNo"), f"{path}.tuNo"))
    scans = []
    for i, event in enumerate(sc.items(unit.get("history"), f"{path}.history")):
        where = f"{path}.history[{i}]"
        event = sc.obj(event, where)
        words = sc.string(event.get("evtDscr"), f"{where}.evtDscr")
        code = sc.phrase_code(words, PHRASES)
        if i == 0:
            code = sc.latest_code(code, (status or "").upper(), TABLE, _DECISIVE)
        day = sc.string(event.get("date"), f"{where}.date")
        if day is None:
            raise AdapterError(f"{where}.date: missing")
        clock = sc.string(event.get("time"), f"{where}.time") or "12:00:00"
        address = sc.obj(event.get("address") or {}, f"{where}.address")
        scans.append(
            sc.Scan(
                code=code,
                when=f"{day}T{clock}",
                path=f"{where}.date",
                message=words,
                city=sc.string(address.get("city"), f"{where}.address.city"),
                country=sc.string(address.get("countryCode"), f"{where}.address.countryCode")
                or sc.string(address.get("countryName"), f"{where}.address.countryName"),
            )
        )
    return sc.checkpoints(parcel, scans, TABLE)


def parse(payload: Any) -> Parsed:
    body = sc.obj(payload, "$")
    units = body.get("tuStatus")
    if units is None:
        if "exceptionText" in body or "errors" in body:
            return Parsed()  # "no parcel found" and other refusals
        raise AdapterError("$.tuStatus: missing (a GLS track and trace answer)")
    found = Parsed()
    for u, unit in enumerate(sc.items(units, "$.tuStatus")):
        found.extend(_unit(sc.obj(unit, f"$.tuStatus[{u}]"), f"$.tuStatus[{u}]"))
    return found
