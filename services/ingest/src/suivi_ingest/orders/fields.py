"""Field rules of order bodies, shared by the order API and the Shopify mapping: E.164 phones,
BCP 47 language tags, IANA zones, tracking numbers, carrier and merchant slugs, plain text."""

from __future__ import annotations

import functools
import re
import unicodedata
import zoneinfo
from datetime import date, datetime
from typing import Annotated

from pydantic import AfterValidator, AwareDatetime, BeforeValidator, Field

from suivi_schemas.carriers import canonical_carrier
from suivi_schemas.common import identifier
from suivi_schemas.ids import normalize_tracking_number

_SLUG = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")
_E164 = re.compile(r"^\+[1-9]\d{6,14}$")
_PHONE_NOISE = re.compile(r"[\s().\-/]")
_LOCALE = re.compile(r"^([A-Za-z]{2})(?:[-_]([A-Za-z]{2}))?$")
_ZONE_KEY = re.compile(r"^[A-Za-z0-9_+\-]+(?:/[A-Za-z0-9_+\-]+)*$")
_TRACKING = re.compile(r"^[!-~]{1,64}$")  # printable ASCII, no spaces (after normalisation)
_URL = re.compile(r"^https?://[^\s]+$")


def e164(value: str) -> str:
    """`+33 6 12-34-56-78` → `+33612345678`; raises ValueError unless it is E.164."""
    compact = _PHONE_NOISE.sub("", value)
    if compact.startswith("00"):
        compact = "+" + compact[2:]
    if not _E164.match(compact):
        raise ValueError("must be an E.164 phone number, e.g. +33612345678")
    return compact


def locale_tag(value: str) -> str:
    """`fr`, `fr-fr`, `fr_FR` → `fr` / `fr-FR`; raises ValueError otherwise."""
    match = _LOCALE.match(value.strip())
    if match is None:
        raise ValueError("must be a language code such as 'fr' or 'fr-FR'")
    language, region = match.groups()
    return language.lower() if region is None else f"{language.lower()}-{region.upper()}"


@functools.cache
def _iana_zones() -> frozenset[str]:
    # Files some systems keep beside the zones, which are not zones a shopper lives in.
    return frozenset(zoneinfo.available_timezones()) - {"localtime", "posixrules", "Factory"}


@functools.lru_cache(maxsize=1024)
def _known_zone(key: str) -> bool:
    if not _ZONE_KEY.match(key) or len(key) > 64:
        return False
    zones = _iana_zones()
    if zones:
        return key in zones
    try:  # no list on this system: whatever zoneinfo can load
        zoneinfo.ZoneInfo(key)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, OSError):
        return False
    return True


def iana_zone(value: str) -> str:
    if not _known_zone(value):
        raise ValueError("must be an IANA time zone such as 'Europe/Paris'")
    return value


def clean_tracking_number(value: str) -> str:
    """Spaces and dashes dropped, upper case: `1z 999-aa1` → `1Z999AA1`."""
    number = normalize_tracking_number(value)
    if not _TRACKING.match(number):
        raise ValueError("must be 1-64 printable ASCII characters (spaces and dashes ignored)")
    return number


def carrier_slug(value: str) -> str:
    """`UPS`, `DHL Express`, `La Poste` → Suivi's slug (`ups`, `dhl`, `laposte`)."""
    try:
        return canonical_carrier(value)
    except ValueError:
        raise ValueError("must name a carrier, e.g. 'ups' or 'La Poste'") from None


def slug(value: str) -> str:
    value = value.strip().lower()
    if not _SLUG.match(value):
        raise ValueError("must be lowercase letters, digits, '-' or '_' (at most 64)")
    return value


# Bidirectional embeddings, overrides and isolates: they can make a text display as another.
_BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def plain_text(value: str) -> str:
    if any(c in _BIDI_CONTROLS or unicodedata.category(c) == "Cc" for c in value):
        raise ValueError("must not contain control characters")
    return value


def http_url(value: str) -> str:
    if not _URL.match(value):
        raise ValueError("must be an http(s) URL")
    return value


def _date_time_text(value: object) -> object:
    # The schema says a date-time string; pydantic alone would also take 0 as 1970-01-01.
    if isinstance(value, str | datetime):
        return value
    raise ValueError("must be an RFC 3339 date-time string, e.g. 2026-11-02T09:14:03+01:00")


_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def calendar_day(value: object) -> date:
    """`2026-12-04` → that day; pydantic alone would also take 0, or a date-time at midnight."""
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    message = "must be a calendar day, YYYY-MM-DD, e.g. 2026-12-04"
    if not isinstance(value, str) or not _DAY.match(value):
        raise ValueError(message)
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ValueError(message) from None


DateTime = Annotated[AwareDatetime, BeforeValidator(_date_time_text)]
Day = Annotated[date, BeforeValidator(calendar_day)]
Text = Annotated[str, Field(max_length=500), AfterValidator(plain_text)]
# Identifiers: the contract's rule too (no invisible character either), so no 500 from it.
Id = Annotated[
    str, Field(min_length=1, max_length=64), AfterValidator(plain_text), AfterValidator(identifier)
]
