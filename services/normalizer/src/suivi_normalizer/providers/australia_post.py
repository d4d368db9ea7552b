"""Australia Post Shipping and Tracking API (`GET /shipping/v1/track?tracking_ids=`) → checkpoints.

Documentation read: Australia Post developer centre, "Shipping and Tracking API", Track items
(Basic auth with the API key and password, header `account-number`; up to 10 ids a call;
answer `tracking_results[]` of `tracking_id`, `status`, `trackable_items[]` (an article, or a
consignment holding `items[]`) with `article_id`, `product_type`, `events[]` of `description`,
`date` (ISO 8601 with offset), optional `location` ("KEW VIC"); per-id `errors[]` such as
ESB-10001 "Invalid tracking ID"), as recorded in karrio's australiapost connector.

Events carry no code. Each is named by the documented phrase its description starts with
(PHRASES, as Australia Post words them in those answers); the item's `status` ("Delivered",
"Awaiting collection", …) names its latest event instead, since it is the carrier's own
reading of where the item is now (when it says more than "In transit" or "Unknown", and
another status than the event's own phrase: "Delivered - Left in a safe place" stays a safe
place delivery); older events keep their phrase. Unmatched descriptions are
in_transit/unknown_code. A `location` is "SUBURB STATE" in Australia (the state places local
times, which are given with offsets anyway); "Transit Scan", a bare country code ("NZ") or
"CITY (CC)" are read as what they are.
"""

from __future__ import annotations

import re
from typing import Any

from suivi_normalizer.providers import scans as sc
from suivi_normalizer.providers.base import AdapterError, CodeTable, Meaning, Parsed
from suivi_schemas import ShipmentStatus
from suivi_schemas.status import Substatus

SLUG = "australia-post"
S, X = ShipmentStatus, Substatus

TABLE = CodeTable(
    SLUG,
    {
        # Item statuses (the latest event's code)
        "Created": Meaning(S.INFO_RECEIVED, X.LABEL_CREATED),
        "Initiated": Meaning(S.INFO_RECEIVED, X.INFO_RECEIVED),
        "In transit": Meaning(S.IN_TRANSIT, X.IN_TRANSIT),
        "Awaiting collection": Meaning(
            S.AVAILABLE_FOR_PICKUP, X.ARRIVED_AT_PICKUP_POINT, action_required=True
        ),
        "Possible delay": Meaning(S.IN_TRANSIT, X.CARRIER_DELAY),
        "Delivered": Meaning(S.DELIVERED, X.DELIVERED),
        "Unknown": Meaning(S.IN_TRANSIT, X.UNKNOWN_CODE),
        # Event phrases
        "information-received": Meaning(S.INFO_RECEIVED, X.INFO_RECEIVED),
        "information-approved": Meaning(S.INFO_RECEIVED, X.INFO_RECEIVED),
        "received": Meaning(S.IN_TRANSIT, X.ACCEPTED),
        "arrived": Meaning(S.IN_TRANSIT, X.ARRIVED_AT_FACILITY),
        "processed": Meaning(S.IN_TRANSIT, X.PROCESSED_AT_FACILITY),
        "to-next-facility": Meaning(S.IN_TRANSIT, X.DEPARTED_FACILITY),
        "export-departure": Meaning(S.IN_TRANSIT, X.DEPARTED_FACILITY),
        "air-carrier": Meaning(S.IN_TRANSIT, X.IN_TRANSIT),
        "awaiting-clearance": Meaning(S.IN_TRANSIT, X.CUSTOMS_PROCESSING),
        "in-customs": Meaning(S.IN_TRANSIT, X.CUSTOMS_PROCESSING),
        "cleared": Meaning(S.IN_TRANSIT, X.CUSTOMS_CLEARED),
        "arrived-country": Meaning(S.IN_TRANSIT, X.ARRIVED_IN_DESTINATION_COUNTRY),
        "onboard": Meaning(S.OUT_FOR_DELIVERY, X.OUT_FOR_DELIVERY),
        "delivered-safe-place": Meaning(S.DELIVERED, X.DELIVERED_TO_SAFE_PLACE),
        "delivered": Meaning(S.DELIVERED, X.DELIVERED),
    },
    case_sensitive=False,
)

# Description openings → code, most specific first.
PHRASES = {
    "Shipping information received": "information-received",
    "Shipping information approved": "information-approved",
    "Received by Australia Post": "received",
    "Received item from Sender": "received",
    "Arrived awaiting clearance": "awaiting-clearance",
    "Arrived in ": "arrived-country",
    "Arrived at facility": "arrived",
    "Item processed at facility": "processed",
    "Processed at Export Facility": "processed",
    "In transit to next facility": "to-next-facility",
    "Despatch Parcels from Export Facility": "export-departure",
    "Processed by air carrier": "air-carrier",
    "Item is in Customs": "in-customs",
    "Item cleared by Customs": "cleared",
    "Cleared and awaiting international departure": "cleared",
    "Onboard for delivery": "onboard",
    "Delivered - Left in a safe place": "delivered-safe-place",
    "Delivered": "delivered",
}

# Item statuses that say more than any event phrase ("In transit" and "Unknown" do not).
_DECISIVE = frozenset(
    {"Created", "Initiated", "Awaiting collection", "Possible delay", "Delivered"}
)
_STATE = re.compile(r"^(?P<city>.+?)\s+(?P<state>ACT|NSW|NT|QLD|SA|TAS|VIC|WA)$")
_CITY_CC = re.compile(r"^(?P<city>.+?)\s*\((?P<cc>[A-Z]{2})\)$")


def _place(location: str | None) -> tuple[str | None, str | None, str | None]:
    """(city, region, country) of an Australia Post location."""
    if not location or location.casefold() == "transit scan":
        return None, None, None
    if found := _STATE.match(location):
        return found["city"], found["state"], "AU"
    if found := _CITY_CC.match(location):
        return found["city"], None, found["cc"]
    if len(location) == 2 and location.isalpha():
        return None, None, location
    return location, None, None


def _article(item: dict[str, Any], path: str, status: str | None) -> list[sc.Scan]:
    events = [
        sc.obj(e, f"{path}.events[{i}]") for i, e in enumerate(sc.items(item.get("events"), path))
    ]
    scans = []
    for i, event in enumerate(events):
        where = f"{path}.events[{i}]"
        words = sc.string(event.get("description"), f"{where}.description")
        code = sc.phrase_code(words, PHRASES)
        if i == 0:  # events come newest first: the item's status may name the latest
            code = sc.latest_code(code, status, TABLE, _DECISIVE)
        city, region, country = _place(sc.string(event.get("location"), f"{where}.location"))
        scans.append(
            sc.Scan(code, event.get("date"), f"{where}.date", words, city, region, country=country)
        )
    return scans


def parse(payload: Any) -> Parsed:
    body = sc.obj(payload, "$")
    results = body.get("tracking_results")
    if results is None:
        if "errors" in body:
            return Parsed()  # the whole request was refused
        raise AdapterError("$.tracking_results: missing (an Australia Post track answer)")
    found = Parsed()
    for r, result in enumerate(sc.items(results, "$.tracking_results")):
        path = f"$.tracking_results[{r}]"
        result = sc.obj(result, path)
        for t, trackable in enumerate(sc.items(result.get("trackable_items"), path)):
            where = f"{path}.trackable_items[{t}]"
            trackable = sc.obj(trackable, where)
            articles = sc.items(trackable.get("items"), where) or [trackable]
            for a, article in enumerate(articles):
                at = f"{where}.items[{a}]" if "items" in trackable else where
                article = sc.obj(article, at)
                key = article.get("article_id") or result.get("tracking_id")
                status = sc.string(article.get("status"), f"{at}.status")
                parcel = sc.Parcel(SLUG, sc.number(key, f"{at}.article_id"), ("AU",))
                found.extend(sc.checkpoints(parcel, _article(article, at, status), TABLE))
    return found
