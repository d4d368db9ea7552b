"""Cainiao (AliExpress's logistics) global tracking answers → checkpoints.

Cainiao publishes no open tracking API: its partner API (link.cainiao.com, "cainiao.global.
logistic.detail") needs a contract, and its public tracking page reads
`GET https://global.cainiao.com/global/detail.json?mailNos=<n>&lang=en-US`. Open-source
trackers record that page's answers (the action codes below are the list one of them keeps
from such a recording: `testdata/https___global_cainiao_com_global_detail_json_mailNos_…`,
with Cainiao's `standerdDesc` for each); this module reads that shape: `module[]` of `mailNo`,
`originCountry`, `destCountry`, `status`, `detailList[]` of `time` (epoch milliseconds),
`timeStr` (local), `timeZone` ("GMT+8"), `desc`, `standerdDesc`, `actionCode`. Deployments
without a Cainiao contract follow Cainiao parcels through an aggregator instead (AfterShip
`cainiao`, 17TRACK 190271; docs/tracking.md).

Choices: `time` (an instant) wins over `timeStr`+`timeZone`; the message is `desc` (the
carrier's words, often with the place in brackets) else `standerdDesc`. Unknown action codes
are in_transit/unknown_code. A hand-off to the destination post is a checkpoint like the others
(the leg link itself is issue 17's legs, not this module's). GTMS_SIGNED is the delivery scan
of Cainiao's last-mile system in the same recordings.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

from suivi_normalizer.providers.base import AdapterError, CodeTable, Meaning, Parsed, alpha2
from suivi_normalizer.providers.scans import Parcel, Scan, checkpoints, items, number, obj, string
from suivi_schemas import ShipmentStatus
from suivi_schemas.status import Substatus

SLUG = "cainiao"
S, X = ShipmentStatus, Substatus

TABLE = CodeTable(
    SLUG,
    {
        "GWMS_ACCEPT": Meaning(S.INFO_RECEIVED, X.INFO_RECEIVED),  # Shipment info received
        "GWMS_PACKAGE": Meaning(S.INFO_RECEIVED, X.AWAITING_PICKUP),  # Ready for shipping
        "WMS_CONFIRMED": Meaning(S.INFO_RECEIVED, X.INFO_RECEIVED),  # Carrier update
        "GWMS_OUTBOUND": Meaning(S.IN_TRANSIT, X.PICKED_UP),  # Shipped out from warehouse
        "PU_PICKUP_SUCCESS": Meaning(S.IN_TRANSIT, X.ACCEPTED),  # Received by logistics company
        "SC_INBOUND_SUCCESS": Meaning(S.IN_TRANSIT, X.PROCESSED_AT_FACILITY),  # At sorting center
        "SC_OUTBOUND_SUCCESS": Meaning(S.IN_TRANSIT, X.DEPARTED_FACILITY),  # Left sorting center
        "LH_HO_IN_SUCCESS": Meaning(S.IN_TRANSIT, X.ARRIVED_AT_FACILITY),  # At transport hub
        "CC_EX_START": Meaning(S.IN_TRANSIT, X.CUSTOMS_PROCESSING),  # Export clearance started
        "CC_EX_SUCCESS": Meaning(S.IN_TRANSIT, X.CUSTOMS_CLEARED),  # Export clearance complete
        "LH_HO_AIRLINE": Meaning(S.IN_TRANSIT, X.DEPARTED_FACILITY),  # Leaving departure country
        "LH_DEPART": Meaning(S.IN_TRANSIT, X.DEPARTED_FACILITY),  # Departed from departure country
        "LH_ARRIVE": Meaning(S.IN_TRANSIT, X.ARRIVED_IN_DESTINATION_COUNTRY),  # At linehaul office
        "CC_HO_IN_SUCCESS": Meaning(S.IN_TRANSIT, X.CUSTOMS_PROCESSING),  # Arrived at customs
        "CC_IM_START": Meaning(S.IN_TRANSIT, X.CUSTOMS_PROCESSING),  # Import clearance started
        "CC_IM_SUCCESS": Meaning(S.IN_TRANSIT, X.CUSTOMS_CLEARED),  # Import clearance complete
        "CC_HO_OUT_SUCCESS": Meaning(S.IN_TRANSIT, X.CUSTOMS_CLEARED),  # Departed from customs
        "CUSTOMS_ARRIVED_IN_AREA_CALLBACK": Meaning(S.IN_TRANSIT, X.IN_TRANSIT),  # Carrier update
        "TRANSIT_PORT_REROUTE_CALLBACK": Meaning(S.IN_TRANSIT, X.FORWARDED),  # Carrier update
        "GTMS_SIGNED": Meaning(S.DELIVERED, X.DELIVERED),  # Delivered
    },
    case_sensitive=True,
)


_GMT = re.compile(r"^GMT(?P<sign>[+-])(?P<h>\d{1,2})(?::?(?P<m>\d{2}))?$", re.IGNORECASE)


def _when(detail: dict[str, Any], path: str) -> str:
    """One detail's time as ISO 8601: the epoch instant, else the local text and its zone."""
    epoch = detail.get("time")
    if isinstance(epoch, int) and not isinstance(epoch, bool) and epoch > 0:
        try:
            return datetime.fromtimestamp(epoch / 1000, UTC).isoformat()
        except (OverflowError, OSError, ValueError):
            raise AdapterError(f"{path}.time: not an epoch in milliseconds: {epoch!r}") from None
    local = string(detail.get("timeStr"), f"{path}.timeStr") or ""
    zone = _GMT.match(string(detail.get("timeZone"), f"{path}.timeZone") or "")
    if zone and local:
        return f"{local}{zone['sign']}{int(zone['h']):02d}:{zone['m'] or '00'}"
    return local


def parse(payload: Any) -> Parsed:
    body = obj(payload, "$")
    modules = body.get("module")
    if modules is None:
        if body.get("success") is False:
            return Parsed()
        raise AdapterError("$.module: missing (a Cainiao global detail answer)")
    found = Parsed()
    for m, module in enumerate(items(modules, "$.module")):
        path = f"$.module[{m}]"
        module = obj(module, path)
        countries = tuple(
            c for key in ("originCountry", "destCountry") if (c := alpha2(module.get(key)))
        )
        parcel = Parcel(SLUG, number(module.get("mailNo"), f"{path}.mailNo"), countries)
        scans = []
        for i, detail in enumerate(items(module.get("detailList"), f"{path}.detailList")):
            where = f"{path}.detailList[{i}]"
            detail = obj(detail, where)
            code = string(detail.get("actionCode"), f"{where}.actionCode")
            words = string(detail.get("desc"), f"{where}.desc")
            scans.append(
                Scan(
                    code=code or "",
                    when=_when(detail, where),
                    path=where,
                    message=words or string(detail.get("standerdDesc"), f"{where}.standerdDesc"),
                )
            )
        found.extend(checkpoints(parcel, scans, TABLE))
    return found
