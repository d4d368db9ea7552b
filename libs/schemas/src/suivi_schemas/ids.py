"""Deterministic identifiers: the same carrier checkpoint always gets the same event id."""

from __future__ import annotations

import functools
import hashlib
import math
import re
import unicodedata
import uuid
from datetime import date, datetime

# Fixed namespace for Suivi's UUIDv5 ids; never change it, or every id changes.
SUIVI_NAMESPACE = uuid.UUID("6f1d6b2e-8f0a-5c59-9a51-2f3c7d1e0b42")
_NAMESPACE_BYTES = SUIVI_NAMESPACE.bytes

_SPACES = re.compile(r"[\s\-]+")


@functools.lru_cache(maxsize=65536)
def normalize_tracking_number(value: str) -> str:
    """Tracking numbers compare without case, spaces or dashes ('1z 999-aa1' == '1Z999AA1')."""
    return _SPACES.sub("", value).upper()


def shipment_key(carrier: str, tracking_number: str) -> str:
    """Kafka key and read-model key of one shipment: `carrier:TRACKINGNUMBER`."""
    return f"{carrier.lower()}:{normalize_tracking_number(tracking_number)}"


@functools.lru_cache(maxsize=65536)
def _fold(text: str | None) -> str:
    if not text:
        return ""
    return " ".join(unicodedata.normalize("NFKC", text).casefold().split())


# UUID(bytes=…, version=5)'s bit setting, once: version 5, RFC 4122 variant.
_KEEP = ~((0xF000 << 64) | (0xC000 << 48)) & (2**128 - 1)
_SET = (5 << 76) | (0x8000 << 48)
# UUID's slots, written as UUID.__init__ writes them (UUID.__setattr__ refuses: immutable).
_UUID = uuid.UUID
_SET_INT = _UUID.__dict__["int"].__set__
_SET_IS_SAFE = _UUID.__dict__["is_safe"].__set__
_UNKNOWN = uuid.SafeUUID.unknown
_SHA1 = hashlib.sha1
_floor = math.floor


def _uuid5(name: str) -> uuid.UUID:
    # Same value as uuid.uuid5(SUIVI_NAMESPACE, name), without its per-call overhead (hot path:
    # one per checkpoint); UUID's __init__ checks and converts what is known good here.
    digest = _SHA1(_NAMESPACE_BYTES + name.encode(), usedforsecurity=False).digest()
    made = object.__new__(_UUID)
    _SET_INT(made, int.from_bytes(digest[:16]) & _KEEP | _SET)
    _SET_IS_SAFE(made, _UNKNOWN)
    return made


def checkpoint_event_id(
    *,
    carrier: str,
    tracking_number: str,
    occurred_at: datetime,
    code: str,
    city: str | None = None,
    country: str | None = None,
) -> uuid.UUID:
    """Id of one carrier checkpoint.

    Built from what identifies the checkpoint itself (shipment, instant to the second as Unix
    time, provider code, place), not from delivery details such as the webhook that carried it,
    so replays and overlapping histories yield the same id. Message wording is left out on
    purpose: providers re-word messages between deliveries of the same checkpoint.
    """
    if occurred_at.tzinfo is None:
        raise ValueError("occurred_at must be timezone-aware")
    # carrier|TRACKINGNUMBER|unix seconds|code|folded city|COUNTRY (one format: never change it)
    return _uuid5(
        f"{carrier.lower()}|{normalize_tracking_number(tracking_number)}"
        f"|{_floor(occurred_at.timestamp())}|{code.strip().lower()}"
        f"|{_fold(city) if city else ''}|{country.upper() if country else ''}"
    )


def estimate_event_id(
    checkpoint_id: uuid.UUID, earliest: date, latest: date, source: str = "carrier"
) -> uuid.UUID:
    """Id of an estimate revision: the checkpoint it revises and the window it gives.

    The same window given again for the same checkpoint (a replay, a provider re-sending its
    history) keeps the same id, so consumers deduplicate it like any event.
    """
    parts = ("estimate", str(checkpoint_id), earliest.isoformat(), latest.isoformat(), source)
    return _uuid5("|".join(parts))


def derived_event_id(*parts: str) -> uuid.UUID:
    """Deterministic id for events Suivi derives itself (alerts, notifications)."""
    return _uuid5("|".join(parts))
