"""Royal Mail Tracking API v2 (`GET /mailpieces/v2/{mailPieceId}/events`) answers → checkpoints.

Documentation read: Royal Mail's developer portal, "Tracking API" v2 (IBM API Connect:
`X-IBM-Client-Id`, `X-IBM-Client-Secret`, `X-Accept-RMG-Terms: yes`), as recorded in karrio's
royalmail connector (a `mailPieces` object: `mailPieceId`, `summary` with `oneDBarcode`,
`statusCategory`, `originCountryCode`/`destinationCountryCode` (alpha-3), `estimatedDelivery`
(`date`, `startOfEstimatedWindow`, `endOfEstimatedWindow`), `events[]` of `eventCode`,
`eventName`, `eventDateTime` (ISO 8601 with offset), `locationName`) and the event codes that
open-source clients list beside their names (elliotjreed/royal-mail-tracking).

Choices: the tracking number is the 1D barcode when given (the S10 number printed on the
label, `FQ087430672GB`), else `mailPieceId`: the number the shopper holds. An error answer
(`httpCode`, `errors[]`) has no checkpoint. Unknown codes are in_transit/unknown_code (Royal
Mail sends no per-event status). EVNDA "Available for redelivery or collection" is the parcel
waiting at the delivery office after a missed delivery: available_for_pickup, the shopper acts.
EVNRT "Item retention" likewise (kept at the office for collection). Locations are names of
Royal Mail sites ("Stafford DO"): kept as the city, in the United Kingdom unless the summary
says the event's leg is abroad (not documented: the destination country is not assumed).
"""

from __future__ import annotations

from typing import Any

from suivi_normalizer.providers.base import AdapterError, CodeTable, Meaning, Parsed, alpha2, text
from suivi_normalizer.providers.scans import Parcel, Scan, checkpoints, items, number, obj, string
from suivi_normalizer.providers.timeparse import parse_date
from suivi_schemas import EstimatedDelivery, EstimateSource, Reason, ShipmentStatus
from suivi_schemas.status import Substatus

SLUG = "royal-mail"
S, X = ShipmentStatus, Substatus

TABLE = CodeTable(
    SLUG,
    {
        "EVAIE": Meaning(S.INFO_RECEIVED, X.LABEL_CREATED),  # Sender preparing item
        "EVAIP": Meaning(S.INFO_RECEIVED, X.LABEL_CREATED),  # Sender despatching item
        "EVPPA": Meaning(S.IN_TRANSIT, X.ACCEPTED),  # Accepted at Parcelshop
        "EVDAV": Meaning(S.IN_TRANSIT, X.ACCEPTED),  # Item received
        "EVIMC": Meaning(S.IN_TRANSIT, X.ACCEPTED),  # Item received
        "EVDAC": Meaning(S.IN_TRANSIT, X.ACCEPTED),  # Item received
        "EVOAC": Meaning(S.IN_TRANSIT, X.PROCESSED_AT_FACILITY),  # Item received at (a centre)
        "EVOCO": Meaning(S.IN_TRANSIT, X.PROCESSED_AT_FACILITY),  # Received, being processed
        "EVORI": Meaning(S.IN_TRANSIT, X.ARRIVED_AT_FACILITY),  # Arrived at
        "EVODO": Meaning(S.IN_TRANSIT, X.DEPARTED_FACILITY),  # Item despatched to DO / MC
        "EVNMI": Meaning(S.IN_TRANSIT, X.MISSORTED),  # Forwarded - Mis-sort
        "EVGPD": Meaning(S.OUT_FOR_DELIVERY, X.OUT_FOR_DELIVERY),  # Due to be delivered today
        "EVKNA": Meaning(  # Delivery attempted - no answer
            S.DELIVERY_ATTEMPT_FAILED, X.RECIPIENT_UNAVAILABLE, reason=Reason.CONSIGNEE
        ),
        "EVKNR": Meaning(S.DELIVERY_ATTEMPT_FAILED, X.NOTICE_LEFT),  # Delivery attempted
        "EVNDA": Meaning(  # Available for redelivery or collection
            S.AVAILABLE_FOR_PICKUP, X.ARRIVED_AT_PICKUP_POINT, action_required=True
        ),
        "EVNRT": Meaning(  # Item retention
            S.AVAILABLE_FOR_PICKUP, X.ARRIVED_AT_PICKUP_POINT, action_required=True
        ),
        "EVNSR": Meaning(S.IN_TRANSIT, X.DELIVERY_RESCHEDULED),  # Prepared for redelivery
        "RSRXS": Meaning(S.IN_TRANSIT, X.DELIVERY_RESCHEDULED),  # Delivery request received
        "EVKOP": Meaning(S.DELIVERED, X.DELIVERED),  # Delivered by
        "EVKSP": Meaning(S.DELIVERED, X.SIGNED),  # Delivered and signed
        "EVKSF": Meaning(S.DELIVERED, X.DELIVERED_TO_SAFE_PLACE),  # Delivered to safeplace
    },
)


def _estimate(summary: dict[str, Any], path: str) -> EstimatedDelivery | None:
    day = text(summary.get("date")) if summary else None
    if day is None:
        return None
    local = parse_date(day, f"{path}.date")
    return EstimatedDelivery(
        earliest=local, latest=local, source=EstimateSource.CARRIER, detail="Royal Mail estimate"
    )


def parse(payload: Any) -> Parsed:
    body = obj(payload, "$")
    if "mailPieces" not in body:
        if "httpCode" in body or "errors" in body:
            return Parsed()  # an error answer: nothing known about the item
        raise AdapterError("$.mailPieces: missing (a Royal Mail Tracking v2 answer)")
    piece = obj(body["mailPieces"], "$.mailPieces")
    summary = obj(piece.get("summary") or {}, "$.mailPieces.summary")
    barcode = summary.get("oneDBarcode") or piece.get("mailPieceId")
    parcel = Parcel(
        carrier=SLUG,
        number=number(barcode, "$.mailPieces.mailPieceId"),
        countries=tuple(
            c
            for k in ("originCountryCode", "destinationCountryCode")
            if (c := alpha2(summary.get(k)))
        ),
        estimate=_estimate(
            obj(piece.get("estimatedDelivery") or {}, "$.mailPieces.estimatedDelivery"),
            "$.mailPieces.estimatedDelivery",
        ),
    )
    scans = []
    for i, event in enumerate(items(piece.get("events"), "$.mailPieces.events")):
        path = f"$.mailPieces.events[{i}]"
        event = obj(event, path)
        code = string(event.get("eventCode"), f"{path}.eventCode")
        if code is None:
            raise AdapterError(f"{path}.eventCode: missing")
        scans.append(
            Scan(
                code=code.upper(),
                when=event.get("eventDateTime"),
                path=f"{path}.eventDateTime",
                message=string(event.get("eventName"), f"{path}.eventName"),
                city=string(event.get("locationName"), f"{path}.locationName"),
            )
        )
    return checkpoints(parcel, scans, TABLE)
