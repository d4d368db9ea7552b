"""The words a shopper reads, against the code's type: where they disagree, the more specific wins.

Choices (issue 15's audit of every code table; applied to every provider's checkpoints by
`parser_for`, on the checkpoint's message):
- Only a generic meaning is ever overridden: an `exception` without a finer substatus (UPS type X,
  PDSC 013, DHL `failure`, Shippo FAILURE/other...), a `pending` one (not found, unknown), or an
  address problem. A specific code (a failed attempt, a pickup point, a return...) keeps its
  meaning whatever its text says.
- Generic exception + "returning this package to the sender", "being returned to the shipper",
  "Rücksendung an den Absender", "retour à l'expéditeur" → returning_to_sender. A condition
  ("will be returned to the sender if not picked up", "unless", "after 5 days") is a warning,
  not a return: no change.
- Pending + "Arriving On Time", "Arriving Early", "in transit", "on its way", "en route",
  "en cours d'acheminement", "unterwegs" → in_transit ("Arriving Late" → in_transit, carrier
  delay): USPS tracking shows these on moving parcels, never on unknown ones.
- Pending + "electronic shipment information received", "label has been created", "Pre-Shipment
  information", "awaiting the item" → info_received (Shippo's UNKNOWN history entries say so).
- In transit without a finer substatus (Shippo's TRANSIT, a bare status, UPS type I without a
  status code) + "out for delivery" → out_for_delivery; a plain in-transit scan whose words start
  with "Arrived"/"Arrival" or "Departed"/"Departure"/"Left" gets arrived_at_facility /
  departed_facility (an unknown code keeps `unknown_code`).
- Address problem or generic exception + "Address Corrected", "address has been updated",
  "adresse corrigée" → in_transit, nothing for the shopper to do: the carrier fixed it.
- Generic exception + "the street number is incorrect", "incomplete address", "adresse
  incomplète" → exception/address_issue, action required (older AfterShip checkpoints carry only
  the tag `Exception` and UPS's words).
- Generic exception (UPS type X with a status code no table defines) + "released by the
  government agency" → in_transit/customs_cleared; + "at the clearing agency awaiting final
  release", "submit your package for clearance" → in_transit/customs_processing (unless the words
  speak of a hold, documents, duties or payment); + "Your package is on the way" → in_transit.
- A failed delivery attempt without a finer substatus + "customer not available", "no one home",
  "destinataire absent", "Empfänger nicht angetroffen" → recipient_unavailable; + "business
  closed" → business_closed (FedEx's DE scans say why only in their exception text).
- An unknown code keeps its substatus `unknown_code` (the gap stays counted); only its status
  follows the words. The raw code and message are never changed.
"""

from __future__ import annotations

import re
from dataclasses import replace

from suivi_normalizer.providers.base import Meaning
from suivi_schemas import ShipmentStatus, Substatus

S, U = ShipmentStatus, Substatus

_PROBLEMS = frozenset({S.EXCEPTION, S.DELIVERY_ATTEMPT_FAILED})
_GENERIC = frozenset({None, U.OTHER, U.UNKNOWN_CODE, U.CONTACT_CARRIER, U.NOT_FOUND})
_RETURNING = re.compile(
    r"\b(?:return(?:ing|ed)?|being\s+returned|sent\s+back|sending\s+(?:it|this\s+\w+)\s+back)\b"
    r".{0,40}?\b(?:sender|shipper|origin(?:ator)?)\b"
    r"|rücksendung|(?:zurück|retour)\s+an\s+den\s+absender|an\s+den\s+absender\s+zurück"
    r"|retour(?:né)?\s+(?:à|a|vers)\s+l['\u2019]\s*expéditeur|retour\s+expéditeur",
    re.IGNORECASE | re.DOTALL,
)
_CONDITIONAL = re.compile(r"\b(?:if|unless|otherwise|after\s+\d+|si|sauf|falls|wenn)\b", re.I)
_MOVING = re.compile(
    r"\barriving\s+(?:on\s+time|early)\b|\bin\s+transit\b|\bon\s+(?:its|the)\s+way\b"
    r"|\ben\s+route\b|\ben\s+cours\s+d['\u2019]\s*acheminement\b|\bunterwegs\b",
    re.IGNORECASE,
)
_LATE = re.compile(r"\barriving\s+late\b", re.IGNORECASE)
_INFO = re.compile(
    r"\bshipment\s+information\b|\blabel\s+(?:has\s+been\s+|was\s+)?created\b"
    r"|\bpre-?shipment\b|\bawaiting\s+(?:the\s+)?item\b",
    re.IGNORECASE,
)
_OUT = re.compile(r"\bout\s+for\s+delivery\b", re.IGNORECASE)
_CORRECTED = re.compile(
    r"\baddress\s+(?:has\s+been\s+|was\s+)?(?:corrected|updated|verified)\b"
    r"|\bcorrected\s+address\b|\badresse\s+(?:corrigée|rectifiée)\b|\badresse\s+korrigiert\b",
    re.IGNORECASE,
)

_PLAIN_TRANSIT = frozenset({None, U.UNKNOWN_CODE, U.IN_TRANSIT})
_ARRIVED = re.compile(r"^\s*(?:arrived|arrival)\b", re.IGNORECASE)
_DEPARTED = re.compile(r"^\s*(?:departed|departure|left)\b", re.IGNORECASE)


def _scan_kind(words: str) -> Substatus | None:
    """A plain in-transit scan whose words start with what happened ("Arrived at Facility")."""
    if _ARRIVED.search(words):
        return U.ARRIVED_AT_FACILITY
    if _DEPARTED.search(words):
        return U.DEPARTED_FACILITY
    return None


_ABSENT = re.compile(
    r"\b(?:customer|recipient|consignee|addressee|no\s+one|nobody)\b.{0,20}?"
    r"\b(?:not\s+(?:available|at\s+home|home|in)|unavailable|absent)\b"
    r"|\bno\s+one\s+(?:was\s+)?(?:home|available)\b|\bdestinataire\s+absent\b"
    r"|\bempfänger\s+nicht\s+angetroffen\b",
    re.IGNORECASE,
)
_WRONG_ADDRESS = re.compile(
    r"\b(?:street|house|apartment|suite|unit)\s+number\s+is\s+(?:\w+\s+){0,3}"
    r"(?:incorrect|missing|invalid)\b"
    r"|\b(?:incorrect|incomplete|insufficient|invalid|wrong)\s+(?:delivery\s+)?address\b"
    r"|\baddress\s+(?:is\s+)?(?:incorrect|incomplete|insufficient|invalid|wrong)\b"
    r"|\badresse\s+(?:incomplète|incorrecte|erronée)\b|\badresse\s+(?:unvollständig|falsch)\b",
    re.IGNORECASE,
)
_RELEASED = re.compile(
    r"\breleased\s+by\s+(?:the\s+)?(?:government\s+agency|customs|clearing\s+agency)\b"
    r"|\bcleared\s+customs\b|\bcustoms\s+clearance\s+(?:is\s+)?complete",
    re.IGNORECASE,
)
_CLEARING = re.compile(
    r"\bclearing\s+agency\b|\bsubmit\b.{0,40}\bfor\s+clearance\b"
    r"|\bclearance\s+(?:is\s+)?in\s+progress\b|\bawaiting\s+(?:final\s+)?release\b",
    re.IGNORECASE,
)
_HELD = re.compile(r"\bheld\b|\bhold\b|\bdocument|\bduties\b|\bpayment\b", re.IGNORECASE)
_ON_THE_WAY = re.compile(
    r"^\s*your\s+(?:package|parcel|shipment)\s+is\s+on\s+(?:the|its)\s+way\b", re.IGNORECASE
)
_CLOSED = re.compile(r"\bbusiness\s+(?:was\s+)?closed\b", re.IGNORECASE)


def refine(meaning: Meaning, words: str | None) -> Meaning:
    """`meaning` as the code's type says it, unless `words` are more specific (docstring)."""
    if not words:
        return meaning
    status, sub = meaning.status, meaning.substatus
    keep = U.UNKNOWN_CODE if sub is U.UNKNOWN_CODE else None
    if status is S.EXCEPTION and sub in _GENERIC:
        if _RETURNING.search(words) and not _CONDITIONAL.search(words):
            return Meaning(S.RETURNING_TO_SENDER, keep or U.RETURN_TO_SENDER, False, meaning.reason)
        if _CORRECTED.search(words):
            return Meaning(S.IN_TRANSIT, keep or U.IN_TRANSIT)
        if _WRONG_ADDRESS.search(words):
            return Meaning(S.EXCEPTION, keep or U.ADDRESS_ISSUE, True, meaning.reason)
        if _RELEASED.search(words):
            return Meaning(S.IN_TRANSIT, keep or U.CUSTOMS_CLEARED)
        if _CLEARING.search(words) and not _HELD.search(words):
            return Meaning(S.IN_TRANSIT, keep or U.CUSTOMS_PROCESSING)
        if _ON_THE_WAY.search(words) and not _CONDITIONAL.search(words):
            return Meaning(S.IN_TRANSIT, keep or U.IN_TRANSIT)
    elif status is S.PENDING and sub in _GENERIC:
        if _LATE.search(words):
            return Meaning(S.IN_TRANSIT, keep or U.CARRIER_DELAY)
        if _MOVING.search(words):
            return Meaning(S.IN_TRANSIT, keep or U.IN_TRANSIT)
        if _INFO.search(words):
            return Meaning(S.INFO_RECEIVED, keep or U.LABEL_CREATED)
    elif status is S.IN_TRANSIT and sub in _PLAIN_TRANSIT:
        if _OUT.search(words):
            return Meaning(S.OUT_FOR_DELIVERY, keep or U.OUT_FOR_DELIVERY)
        if sub is not U.UNKNOWN_CODE and (finer := _scan_kind(words)) is not None:
            return replace(meaning, substatus=finer)
    elif status is S.DELIVERY_ATTEMPT_FAILED and sub is None:
        if _ABSENT.search(words):
            return replace(meaning, substatus=U.RECIPIENT_UNAVAILABLE)
        if _CLOSED.search(words):
            return replace(meaning, substatus=U.BUSINESS_CLOSED)
    elif sub is U.ADDRESS_ISSUE and status in _PROBLEMS and _CORRECTED.search(words):
        return replace(meaning, status=S.IN_TRANSIT, substatus=U.IN_TRANSIT, action_required=False)
    return meaning
