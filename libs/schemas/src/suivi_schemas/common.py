"""Building blocks shared by the event models."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Annotated, Self

from pydantic import AfterValidator, AwareDatetime, BaseModel, ConfigDict, Field, model_validator

from suivi_schemas.status import EstimateSource


class Contract(BaseModel):
    """Base of every published model: immutable; unknown fields are ignored so that older
    readers survive additive changes."""

    model_config = ConfigDict(frozen=True, extra="ignore", use_enum_values=False)


_COUNTRY = re.compile(r"^[A-Z]{2}$")
_SLUG = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")


def _upper_country(value: str | None) -> str | None:
    if value is None:
        return None
    value = value.strip().upper()
    if not _COUNTRY.match(value):
        raise ValueError("country must be an ISO 3166-1 alpha-2 code such as 'FR'")
    return value


def _slug(value: str) -> str:
    value = value.strip().lower()
    if not _SLUG.match(value):
        raise ValueError("slug must be lowercase letters, digits, '-' or '_' (at most 64)")
    return value


def identifier(value: str) -> str:
    """The value if it can be an identifier (no control or invisible character), else ValueError."""
    # str.isprintable() is False for control (C0, DEL, C1), format (zero-width, bidi
    # overrides), surrogate, private-use, unassigned and separator characters but the space.
    if not value.replace(" ", "").isprintable():
        raise ValueError("must not contain control or invisible characters")
    return value


def _storable_text(value: str) -> str:
    if "\x00" in value:
        value = value.replace("\x00", "")
    if not value.isascii():
        try:
            value.encode()
        except UnicodeEncodeError:  # a lone surrogate: not UTF-8, so not storable either
            value = value.encode("utf-8", "replace").decode()
    return value


CountryCode = Annotated[str, AfterValidator(_upper_country)]
Slug = Annotated[str, AfterValidator(_slug)]
UtcOrOffsetDatetime = AwareDatetime
IDENTIFIER_RULE = "No control or invisible characters (C0, C1, format, separators but space)."
FREE_TEXT_RULE = "Any text; U+0000 is removed (PostgreSQL text cannot hold it)."
# Identifiers (tracking numbers, order numbers, ids) with such characters are invalid input.
Identifier = Annotated[str, AfterValidator(identifier), Field(description=IDENTIFIER_RULE)]
# Free text (messages, names, addresses) is kept as given but for U+0000 (and lone surrogates).
FreeText = Annotated[str, AfterValidator(_storable_text), Field(description=FREE_TEXT_RULE)]


class Location(Contract):
    """Where a checkpoint happened; every part optional because carriers give what they give."""

    city: FreeText | None = None
    region: FreeText | None = None
    postal_code: FreeText | None = None
    country: CountryCode | None = None

    def is_empty(self) -> bool:
        return not (self.city or self.region or self.postal_code or self.country)


class EstimatedDelivery(Contract):
    """A delivery estimate: one date (earliest == latest) or a window, with times when known."""

    earliest: date
    latest: date
    earliest_at: AwareDatetime | None = None
    latest_at: AwareDatetime | None = None
    source: EstimateSource
    detail: FreeText | None = Field(
        default=None,
        description="How it was obtained, e.g. 'predicted from 42 similar shipments'. "
        + FREE_TEXT_RULE,
    )

    @model_validator(mode="after")
    def _ordered(self) -> Self:
        if self.latest < self.earliest:
            raise ValueError("estimated delivery window ends before it starts")
        return self

    @classmethod
    def on(cls, day: date, source: EstimateSource, at: datetime | None = None) -> EstimatedDelivery:
        return cls(earliest=day, latest=day, earliest_at=at, latest_at=at, source=source)
