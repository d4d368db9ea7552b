"""La Poste "Suivi v2" (Okapi `GET https://api.laposte.fr/suivi/v2/idships/{idship}`) response
bodies → checkpoints.

Documentation read (La Poste's own):
- Developer portal, API "Suivi" v2, https://developer.laposte.fr/catalog-apis/suivi@2
  (formerly https://developer.laposte.fr/products/suivi/2/documentation): the table of event
  codes ("Codes événements": code, French label, timeline step 1-5) with its 23 codes DR1,
  DR2, PC1, PC2, ET1-ET4, EP1, DO1-DO3, PB1, PB2, MD2, ND1, AG1, RE1, DI0-DI3, ID0. The portal
  page is rendered by script; its table was read through copies kept verbatim in client code
  on GitHub (several independent ones agree on codes and labels).
- The API's OpenAPI document ("Swagger SUIVI", server https://api.laposte.fr/suivi/v2):
  `baseResponse` (`lang`, `scope`, `returnCode`), `suiviShipment` = `idShip` + `holder`
  ("1=Courrier, 3=Chronopost, 4=Colissimo"), `product`, `isFinal`, `entryDate`, `estimDate`,
  `estimHourMin`, `estimHourMax`, `deliveryDate`, `contextData`, `url`, `timeline[]` (5 steps)
  and `event[]` ("List of event given into anti chronological order": `code`, `label`, `date`
  "format aaaa-mm-jjThh:mn:ss+hh:mn"). A request for several idships answers an array of such
  objects (207); both shapes are read.

Mapping: each event's `code` in TABLE (all 23). An unmapped code is not guessed: in_transit
(a scan exists, the object is somewhere in the network), substatus `unknown_code`; La Poste has
no per-event main status to fall back on. The French `label` is kept as the raw message.
Choices for labels that say little: EP1 "En attente de présentation" (listed among the transit
codes, between the processing and the customs ones: presentation to the next step, possibly to
customs) is plain in_transit; DI3 "Retardé" (delayed) is in_transit/carrier_delay, never a
delivery; ND1 "Non distribuable" is exception/undeliverable; RE1 "Retourné à l'expéditeur" is
the way back, DI2 "Distribué à l'expéditeur" its arrival.

Carrier: `holder` (documented enum) when known, else the `product` name (a name containing
Colissimo or Chronopost), else La Poste's mail network; the name goes through canonical_carrier:
Colissimo → `laposte` (its parcel brand, same numbering), Chronopost → `chronopost`,
Lettre suivie / recommandée / Courrier → `laposte`.

Times: event dates carry their offset and are kept as given. A date without an offset
(undocumented) is French local time (Europe/Paris, France's single zone in the tz database);
a bare date becomes local noon (timeparse.parse_datetime).

Estimate: `estimDate` (with `estimHourMin`/`estimHourMax` as the window's times when given),
the carrier's, on the latest checkpoint only. `deliveryDate` is the actual delivery and already
appears as a DI event; `entryDate` likewise as a PC event: neither makes a checkpoint. Objects
answered with an error `returnCode` (104 "not yet available", 105, ...) and no `shipment` yield
no checkpoint; events carry no place, so checkpoints have no location.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from suivi_normalizer.providers import common
from suivi_normalizer.providers.base import (
    AdapterError,
    Checkpoint,
    CodeTable,
    Meaning,
    require,
    text,
)
from suivi_normalizer.providers.timeparse import parse_date, parse_datetime, parse_placed
from suivi_schemas import EstimatedDelivery, EstimateSource, Reason, ShipmentStatus
from suivi_schemas.carriers import canonical_carrier
from suivi_schemas.status import Substatus

SLUG = "laposte"

S, X, R = ShipmentStatus, Substatus, Reason

# Code → meaning; the comment is La Poste's label and timeline step.
TABLE = CodeTable(
    SLUG,
    {
        "DR1": Meaning(S.INFO_RECEIVED, X.INFO_RECEIVED),  # Déclaratif réceptionné (1)
        # Problème lors de la préparation (1): the sender's preparation, before the network.
        "DR2": Meaning(S.EXCEPTION, X.OTHER, reason=R.RETAILER),
        "PC1": Meaning(S.IN_TRANSIT, X.ACCEPTED),  # Pris en charge (2)
        "PC2": Meaning(S.IN_TRANSIT, X.ACCEPTED),  # Pris en charge dans le pays d'expédition (2)
        "ET1": Meaning(S.IN_TRANSIT, X.PROCESSED_AT_FACILITY),  # En cours de traitement (3)
        # En cours de traitement dans le pays d'expédition (3)
        "ET2": Meaning(S.IN_TRANSIT, X.PROCESSED_AT_FACILITY),
        # En cours de traitement dans le pays de destination (3)
        "ET3": Meaning(S.IN_TRANSIT, X.ARRIVED_IN_DESTINATION_COUNTRY),
        # En cours de traitement dans un pays de transit (3)
        "ET4": Meaning(S.IN_TRANSIT, X.IN_TRANSIT),
        "EP1": Meaning(S.IN_TRANSIT, X.IN_TRANSIT),  # En attente de présentation (3)
        "DO1": Meaning(S.IN_TRANSIT, X.CUSTOMS_PROCESSING),  # Entrée en Douane (3)
        "DO2": Meaning(S.IN_TRANSIT, X.CUSTOMS_CLEARED),  # Sortie de Douane (3)
        "DO3": Meaning(S.EXCEPTION, X.CUSTOMS_HOLD, reason=R.CUSTOMS),  # Retenu en Douane (3)
        "PB1": Meaning(S.EXCEPTION, X.OTHER),  # Problème en cours (3)
        "PB2": Meaning(S.IN_TRANSIT, X.IN_TRANSIT),  # Problème résolu (3)
        "MD2": Meaning(S.OUT_FOR_DELIVERY, X.OUT_FOR_DELIVERY),  # Mis en distribution (4)
        "ND1": Meaning(S.EXCEPTION, X.UNDELIVERABLE),  # Non distribuable (4)
        # En attente d'être retiré au guichet (4)
        "AG1": Meaning(S.AVAILABLE_FOR_PICKUP, X.ARRIVED_AT_PICKUP_POINT, action_required=True),
        "RE1": Meaning(S.RETURNING_TO_SENDER, X.RETURN_TO_SENDER),  # Retourné à l'expéditeur (4)
        "DI0": Meaning(S.DELIVERED, X.DELIVERED),  # Distribué en lot (5)
        "DI1": Meaning(S.DELIVERED, X.DELIVERED),  # Distribué (5)
        # Distribué à l'expéditeur (5)
        "DI2": Meaning(S.RETURNED_TO_SENDER, X.RETURNED_TO_SENDER),
        "DI3": Meaning(S.IN_TRANSIT, X.CARRIER_DELAY),  # Retardé (5)
        "ID0": Meaning(S.IN_TRANSIT, X.CUSTOMS_PROCESSING),  # Informations douane
    },
)

# `holder` (documented: "1=Courrier, 3=Chronopost, 4=Colissimo") → carrier name.
HOLDERS: dict[int, str] = {1: "La Poste", 3: "Chronopost", 4: "Colissimo"}
_FRANCE = "FR"


def carrier_slug(holder: Any, product: str | None) -> str:
    """The network in charge of the object, as a Suivi slug (see the module docstring)."""
    name = HOLDERS.get(holder) if isinstance(holder, int) and not isinstance(holder, bool) else None
    if name is None:
        folded = (product or "").casefold()
        name = next((n for n in ("Colissimo", "Chronopost") if n.casefold() in folded), None)
    return canonical_carrier(name or "La Poste")


def _checkpoint(event: Any, path: str, carrier: str, number: str) -> Checkpoint:
    if not isinstance(event, dict):
        raise AdapterError(f"{path}: expected an object")
    code = common.required_code(require(event, "code", path), f"{path}.code", "an event code")
    label = common.optional_string(event, "label", path)
    found = TABLE.lookup(code, S.IN_TRANSIT)
    # La Poste does not say where an event happened: France (its offset or its zone) places it.
    placed = parse_placed(event.get("date"), f"{path}.date", shipment=(_FRANCE,))
    return common.checkpoint(carrier, number, placed, code.upper(), found, label)


def _estimate(shipment: dict[str, Any], path: str) -> EstimatedDelivery | None:
    day = text(shipment.get("estimDate"))
    if day is None:
        return None
    parse_datetime(day, f"{path}.estimDate", country=_FRANCE)  # shape check
    local_day = parse_date(day, f"{path}.estimDate")  # the day as written, never shifted
    bounds: list[datetime | None] = []
    for key in ("estimHourMin", "estimHourMax"):
        value = text(shipment.get(key))
        bounds.append(parse_datetime(value, f"{path}.{key}", country=_FRANCE) if value else None)
    lo, hi = bounds
    if lo is not None and hi is not None and hi < lo:
        raise AdapterError(f"{path}.estimHourMax: before estimHourMin")
    return EstimatedDelivery(
        earliest=local_day,
        latest=local_day,
        earliest_at=lo,
        latest_at=hi,
        source=EstimateSource.CARRIER,
        detail="La Poste estimate",
    )


def _shipment(item: Any, path: str) -> list[Checkpoint]:
    if not isinstance(item, dict):
        raise AdapterError(f"{path}: expected an object (a Suivi v2 response)")
    shipment = item.get("shipment")
    code = item.get("returnCode")
    if shipment is None and isinstance(code, int) and code != 200:
        return []  # an error answer (unknown or not yet available object): nothing to track
    shipment = require(item, "shipment", path)
    path = f"{path}.shipment"
    if not isinstance(shipment, dict):
        raise AdapterError(f"{path}: expected an object")
    number = require(shipment, "idShip", path)
    if not isinstance(number, str) or not number.strip() or len(number.strip()) > 64:
        raise AdapterError(f"{path}.idShip: not a tracking number: {number!r}")
    product = common.optional_string(shipment, "product", path)
    carrier = carrier_slug(shipment.get("holder"), product)
    events = common.optional_list(shipment, "event", path)
    checkpoints = [
        _checkpoint(event, f"{path}.event[{i}]", carrier, number.strip())
        for i, event in enumerate(events)
    ]
    # Checked for shape; nothing in it is a checkpoint.
    common.optional_object(shipment, "contextData", path)
    common.estimate_on_latest(checkpoints, _estimate(shipment, path))
    return checkpoints


def parse(payload: Any) -> list[Checkpoint]:
    if isinstance(payload, list):
        return [cp for i, item in enumerate(payload) for cp in _shipment(item, f"$[{i}]")]
    if not isinstance(payload, dict):
        raise AdapterError("$: expected a JSON object (a La Poste Suivi v2 response)")
    return _shipment(payload, "$")
