"""Mondial Relay `WSI2_TracingColisDetaille` (SOAP web service) answers → checkpoints.

Documentation read: Mondial Relay's web service guide ("Documentation-WebService-MR", the
`Web_Services.asmx` service: each call signed by `Security` = upper-case MD5 of the
concatenated parameters and the brand's private key; `WSI2_TracingColisDetaille(Enseigne,
Expedition, Langue, Security)` answers `STAT`, `Libelle01`, `Relais_Libelle`, `Relais_Num`,
`Libelle02`, `Tracing` of `ret_WSI2_sub_TracingColisDetaille` (`Libelle`, `Date`, `Heure`,
`Emplacement`, `Relais_Num`, `Relais_Pays`)) and its STAT table as PrestaShop's Mondial Relay
module keeps it (`mondialrelay/errorCode.php`): 80 "Colis enregistré", 81 "Colis en traitement
chez Mondial Relay", 82 "Colis livré", 83 "Anomalie"; other STATs are errors (24 invalid
number, 94 "Colis inexistant", 97 invalid key, 98/99 service errors). The tracker publishes
the XML in its JSON envelope (providers/xmldoc.py).

Events carry only French words: each is named by the phrase it starts with (PHRASES), and the
STAT names the newest event when it says another status (providers/scans.py `latest_code`).
An error STAT, or no events, makes no checkpoint. Dates are `dd/mm/yyyy` (or `dd/mm/yy`) with
`Heure` `HH:MM`, local to `Relais_Pays` (France when absent: Mondial Relay's home network).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from suivi_normalizer.providers import scans as sc
from suivi_normalizer.providers.base import AdapterError, CodeTable, Meaning, Parsed
from suivi_normalizer.providers.xmldoc import envelope, find
from suivi_schemas import ShipmentStatus
from suivi_schemas.status import Substatus

SLUG = "mondial-relay"
S, X = ShipmentStatus, Substatus

TABLE = CodeTable(
    SLUG,
    {
        "80": Meaning(S.INFO_RECEIVED, X.INFO_RECEIVED),  # Colis enregistré
        "81": Meaning(S.IN_TRANSIT, X.IN_TRANSIT),  # Colis en traitement chez Mondial Relay
        "82": Meaning(S.DELIVERED, X.DELIVERED),  # Colis livré
        "83": Meaning(S.EXCEPTION, X.OTHER),  # Anomalie
        "deposited": Meaning(S.IN_TRANSIT, X.ACCEPTED),
        "taken-in-charge": Meaning(S.IN_TRANSIT, X.ACCEPTED),
        "on-its-way": Meaning(S.IN_TRANSIT, X.IN_TRANSIT),
        "at-relay": Meaning(
            S.AVAILABLE_FOR_PICKUP, X.ARRIVED_AT_PICKUP_POINT, action_required=True
        ),
        "collected": Meaning(S.DELIVERED, X.PICKED_UP_BY_CUSTOMER),
        "delivered": Meaning(S.DELIVERED, X.DELIVERED),
        "returned": Meaning(S.RETURNING_TO_SENDER, X.RETURN_TO_SENDER),
    },
)
TRACING = frozenset({"80", "81", "82", "83"})

PHRASES = {
    "Colis déposé": "deposited",
    "Prise en charge": "taken-in-charge",
    "Colis pris en charge": "taken-in-charge",
    "Colis en cours d'acheminement": "on-its-way",
    "En cours d'acheminement": "on-its-way",
    "Colis disponible au Point Relais": "at-relay",
    "Disponible au Point Relais": "at-relay",
    "Colis récupéré": "collected",
    "Colis livré": "delivered",
    "Retour à l'expéditeur": "returned",
}


def _when(day: str | None, clock: str | None, path: str) -> str:
    for pattern in ("%d/%m/%Y %H:%M", "%d/%m/%y %H:%M"):
        try:
            return datetime.strptime(f"{day} {clock or '12:00'}", pattern).isoformat()
        except ValueError:
            continue
    raise AdapterError(f"{path}: not a Mondial Relay date (dd/mm/yyyy, HH:MM): {day!r} {clock!r}")


def parse(payload: Any) -> Parsed:
    polled, root = envelope(payload, "Mondial Relay WSI2_TracingColisDetaille")
    result = find(root, "WSI2_TracingColisDetailleResult")
    if not isinstance(result, dict):
        raise AdapterError("$.xml: no WSI2_TracingColisDetailleResult")
    stat = sc.string(result.get("STAT"), "$.xml.STAT")
    if stat not in TRACING:
        return Parsed()  # an error STAT (unknown parcel, bad key, service down)
    parcel = sc.Parcel(SLUG, sc.number(polled, "$.number"), ("FR",))
    tracing = find(result, "Tracing")
    events = sc.items(find(tracing, "ret_WSI2_sub_TracingColisDetaille") if tracing else None, "$")
    dated = [(i, sc.obj(e, f"$.xml.Tracing[{i}]")) for i, e in enumerate(events)]
    dated = [(i, e) for i, e in dated if sc.string(e.get("Libelle"), f"$.xml.Tracing[{i}].Libelle")]
    scans = []
    for n, (i, event) in enumerate(dated):
        where = f"$.xml.Tracing[{i}]"
        words = sc.string(event.get("Libelle"), f"{where}.Libelle")
        code = sc.phrase_code(words, PHRASES)
        if n == len(dated) - 1:  # oldest first: the STAT may name the newest
            code = sc.latest_code(code, stat, TABLE, TRACING)
        scans.append(
            sc.Scan(
                code=code,
                when=_when(
                    sc.string(event.get("Date"), f"{where}.Date"),
                    sc.string(event.get("Heure"), f"{where}.Heure"),
                    f"{where}.Date",
                ),
                path=f"{where}.Date",
                message=words,
                city=sc.string(event.get("Emplacement"), f"{where}.Emplacement"),
                country=sc.string(event.get("Relais_Pays"), f"{where}.Relais_Pays") or "FR",
            )
        )
    return sc.checkpoints(parcel, scans, TABLE)
