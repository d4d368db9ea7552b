"""What every provider adapter produces, and the code-table shape they share (as karrio's)."""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from collections.abc import Mapping as MappingABC
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from suivi_normalizer.providers.places import country_code, facility_state
from suivi_schemas import EstimatedDelivery, Location, Reason, ShipmentStatus, Substatus, TimeBasis


class AdapterError(ValueError):
    """The payload cannot be turned into events; the message says what is wrong (for the DLQ)."""


@dataclass(frozen=True, slots=True)
class Meaning:
    """Canonical meaning of one provider code."""

    status: ShipmentStatus
    substatus: Substatus | None = None
    action_required: bool = False
    reason: Reason | None = None


# Not frozen: a frozen dataclass's __init__ sets each field through object.__setattr__, ~7x
# the cost of plain slots (~1 µs of 10 fields, on every scan read and re-worded). Treated as
# immutable all the same: adapters build new ones (dataclasses.replace), never assign.
@dataclass(slots=True)
class Checkpoint:
    """One carrier checkpoint as an adapter read it, before ids and envelope are added."""

    carrier: str
    tracking_number: str
    occurred_at: datetime
    code: str
    meaning: Meaning
    known: bool
    message: str | None = None
    location: Location | None = None
    estimated_delivery: EstimatedDelivery | None = None
    time_basis: TimeBasis | None = None  # what placed occurred_at (timeparse.parse_placed)


class Parsed(list[Checkpoint]):
    """A provider's checkpoints, and the optional fields it did without (`degraded`: one
    JSON-path-like name per field, without indices, for the degraded-parse counter)."""

    def __init__(self, checkpoints: Iterable[Checkpoint] = (), degraded: Iterable[str] = ()):
        super().__init__(checkpoints)
        self.degraded = tuple(degraded)


class CodeTable:
    """Provider code → canonical meaning; unknown codes are flagged, never guessed silently."""

    def __init__(
        self, provider: str, entries: MappingABC[str, Meaning], *, case_sensitive: bool = False
    ):
        self.provider = provider
        self.case_sensitive = case_sensitive
        self._entries = {self._norm(k): v for k, v in entries.items()}

    def _norm(self, code: str) -> str:
        return code if self.case_sensitive else code.strip().lower()

    def __contains__(self, code: object) -> bool:
        return isinstance(code, str) and self._norm(code) in self._entries

    def __len__(self) -> int:
        return len(self._entries)

    def codes(self) -> list[str]:
        return sorted(self._entries)

    def lookup(self, code: str, fallback: ShipmentStatus) -> tuple[Meaning, bool]:
        """(meaning, known). Unknown: `fallback` status (the provider's top-level status where it
        has one), substatus `unknown_code`, so operators see the gap (counted per provider/code)."""
        found = self._entries.get(self._norm(code))
        if found is not None:
            return found, True
        return Meaning(fallback, Substatus.UNKNOWN_CODE), False


class ParseFn(Protocol):
    def __call__(self, payload: Any) -> list[Checkpoint]: ...


def require(container: Any, key: str, path: str) -> Any:
    """container[key], or an AdapterError naming the JSON path that is missing or null."""
    if not isinstance(container, dict):
        raise AdapterError(f"{path}: expected an object")
    value = container.get(key)
    if value is None:
        raise AdapterError(f"{path}.{key}: missing")
    return value


def field_name(path: str) -> str:
    """`data.tracking_history[3].location` → `data.tracking_history[].location` (bounded)."""
    return re.sub(r"\[\d+\]", "[]", path)


def text(value: Any) -> str | None:
    """A stripped non-empty string or None."""
    if value is None:
        return None
    s = str(value).strip()
    return s or None


def alpha2(value: Any) -> str | None:
    """An ISO 3166-1 alpha-2 code from a code (alpha-2, alpha-3) or a country name in any
    language (places.country_code); anything else is dropped."""
    code = text(value)
    if code is not None and len(code) == 2 and code.isascii() and code.isalpha():
        return code.upper()
    return country_code(code)


@functools.lru_cache(maxsize=16384)
def location_of(
    city: str | None, region: str | None, postal_code: str | None, country: str | None
) -> Location | None:
    """The Location of these parts, None when all are empty. Histories repeat the same places:
    validated Location objects are shared (they are frozen)."""
    if not (city or region or postal_code or country):
        return None
    return Location(city=city, region=region, postal_code=postal_code, country=country)


def location_from(
    value: Any,
    path: str,
    *,
    city: str,
    region: str,
    postal_code: str,
    country: str,
    degraded: list[str] | None = None,
) -> Location | None:
    """A Location from a provider's address object, given the provider's field names; with
    `degraded`, a malformed one is dropped and its field noted instead of refused."""
    if value is None:
        return None
    if not isinstance(value, dict):
        if degraded is not None:
            degraded.append(field_name(path))
            return None
        raise AdapterError(f"{path}: expected an object")
    town, code = text(value.get(city)), alpha2(value.get(country))
    state = text(value.get(region))
    if state is None and code in ("US", None):
        state = facility_state(town)  # USPS's "QUEENS NY DISTRIBUTION CENTER", relayed as is
    return location_of(town, state, text(value.get(postal_code)), code)
