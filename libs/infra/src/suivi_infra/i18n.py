"""Shopper-language helpers every service shares, on Babel (CLDR): plural forms, languages."""

from __future__ import annotations

from collections.abc import Mapping

from babel import Locale


def plural(language: str, forms: Mapping[str, str], n: int) -> str:
    """The form of `forms` (keyed by CLDR plural category: one, few, many, other) that `n`
    takes in `language`, filled with `{n}`: French says "0 bloqué, 1 bloqué, 2 bloqués",
    English "1 parcel, 0 parcels". A missing category falls back to "other"."""
    category = Locale.parse(language.replace("-", "_")).plural_form(n)
    # (replace, not format: the forms may hold other placeholders, filled by the caller)
    return forms.get(category, forms["other"]).replace("{n}", str(n))
