"""PostNL Shipping Status API v2 (`GET /shipment/v2/status/barcode/{barcode}`) → checkpoints.

Documentation read: PostNL's developer portal, "Shippingstatus" webservice, as generated into
PostNL's own SDK (postnl/postnl-ecommerce-sdk-python, `doc/controllers/shipping-status.md`,
`doc/models/complete-status-shipment.md`, `event.md`): header `apikey`; `detail=true` answers
`CompleteStatus.Shipment` (one object, or a list for a multi-collo) with `Barcode`,
`MainBarcode`, `DeliveryDate`, `Expectation`, `Address[]`, `Event[]` (`Code`, `Description`,
`LocationCode`, `TimeStamp` "dd-MM-yyyy HH:mm:ss"), `Status` and `OldStatus[]` (the status
history: `StatusCode`, `StatusDescription`, `PhaseCode`, `PhaseDescription`, `TimeStamp`).

Checkpoints are the status history (`OldStatus`, else the current `Status`): its codes are the
documented T&T status codes, each within a phase (1 collection, 2 sorting, 3 distribution, 4
delivery). The table maps the status codes whose meaning PostNL's descriptions state plainly;
any other falls back on its phase (4 → delivered, else in transit) with substatus
unknown_code. `Event[]` repeats those steps with internal scan codes (A01, B01, J01…) and no
public meaning: not read. Times are Dutch local times (the Netherlands, one zone).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from suivi_normalizer.providers.base import AdapterError, CodeTable, Meaning, Parsed, text
from suivi_normalizer.providers.scans import Parcel, Scan, checkpoints, items, number, obj, string
from suivi_normalizer.providers.timeparse import parse_date
from suivi_schemas import EstimatedDelivery, EstimateSource, Reason, ShipmentStatus
from suivi_schemas.status import Substatus

SLUG = "postnl"
S, X = ShipmentStatus, Substatus

TABLE = CodeTable(
    SLUG,
    {
        "1": Meaning(S.INFO_RECEIVED, X.INFO_RECEIVED),  # Zending voorgemeld (pre-alerted)
        "2": Meaning(S.IN_TRANSIT, X.ACCEPTED),  # Zending in ontvangst genomen
        "3": Meaning(S.IN_TRANSIT, X.PICKED_UP),  # Zending afgehaald
        "4": Meaning(S.EXCEPTION, X.OTHER, reason=Reason.CARRIER),  # Zending niet afgehaald
        "5": Meaning(S.IN_TRANSIT, X.PROCESSED_AT_FACILITY),  # Zending gesorteerd
        "6": Meaning(S.IN_TRANSIT, X.CARRIER_DELAY),  # Zending niet gesorteerd
        "7": Meaning(S.OUT_FOR_DELIVERY, X.OUT_FOR_DELIVERY),  # Zending in distributieproces
        "8": Meaning(S.DELIVERY_ATTEMPT_FAILED, X.OTHER),  # Zending niet afgeleverd
        "11": Meaning(S.DELIVERED, X.DELIVERED),  # Zending afgeleverd
        "12": Meaning(  # Zending beschikbaar op afhaallocatie
            S.AVAILABLE_FOR_PICKUP, X.ARRIVED_AT_PICKUP_POINT, action_required=True
        ),
    },
)
_PHASE_FALLBACK = {"4": S.DELIVERED}


def _when(value: Any, path: str) -> str:
    raw = string(value, path)
    try:
        return datetime.strptime(raw or "", "%d-%m-%Y %H:%M:%S").isoformat()
    except ValueError:
        raise AdapterError(f"{path}: not a PostNL time (dd-MM-yyyy HH:mm:ss): {raw!r}") from None


def _shipment(shipment: dict[str, Any], path: str) -> Parsed:
    key = shipment.get("Barcode") or shipment.get("MainBarcode")
    estimate = None
    if day := text(shipment.get("DeliveryDate")):
        local = parse_date(day[:10], f"{path}.DeliveryDate")
        estimate = EstimatedDelivery(
            earliest=local, latest=local, source=EstimateSource.CARRIER, detail="PostNL"
        )
    parcel = Parcel(SLUG, number(key, f"{path}.Barcode"), ("NL",), estimate)
    history = items(shipment.get("OldStatus"), f"{path}.OldStatus")
    field = "OldStatus"
    if not history and shipment.get("Status") is not None:
        history, field = [shipment["Status"]], "Status"
    scans = []
    for i, status in enumerate(history):
        where = f"{path}.{field}[{i}]"
        status = obj(status, where)
        code = string(status.get("StatusCode"), f"{where}.StatusCode")
        if code is None:
            raise AdapterError(f"{where}.StatusCode: missing")
        phase = string(status.get("PhaseCode"), f"{where}.PhaseCode") or ""
        scans.append(
            Scan(
                code=code.lstrip("0") or "0",
                when=_when(status.get("TimeStamp"), f"{where}.TimeStamp"),
                path=f"{where}.TimeStamp",
                message=string(status.get("StatusDescription"), f"{where}.StatusDescription"),
                country="NL",
                fallback=_PHASE_FALLBACK.get(phase, S.IN_TRANSIT),
            )
        )
    return checkpoints(parcel, scans, TABLE)


def parse(payload: Any) -> Parsed:
    body = obj(payload, "$")
    status = body.get("CompleteStatus") or body.get("CurrentStatus")
    if status is None:
        if "Errors" in body or "fault" in body or "Warnings" in body:
            return Parsed()  # an error answer (unknown barcode): nothing known yet
        raise AdapterError("$.CompleteStatus: missing (a PostNL shipping status answer)")
    found = Parsed()
    key = "CompleteStatus" if "CompleteStatus" in body else "CurrentStatus"
    shipments = items(obj(status, f"$.{key}").get("Shipment"), f"$.{key}.Shipment")
    for s, shipment in enumerate(shipments):
        found.extend(_shipment(obj(shipment, f"$.{key}.Shipment[{s}]"), f"$.{key}.Shipment[{s}]"))
    return found
