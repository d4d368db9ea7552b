"""The messages' languages: gettext catalogues (`locales/<lang>/LC_MESSAGES/messages.po`, `make
i18n`) read by the machinery every service shares (`suivi_infra.i18n`). The order's locale
picks the language (`de-AT` → German); one not translated gets English. Ids built at run time
are marked in `keys.py`."""

from __future__ import annotations

from datetime import UTC, datetime, tzinfo

from suivi_infra import i18n
from suivi_schemas.carriers import display_name

CATALOGUES = i18n.Catalogues("suivi_notifier.adapters")
LANGUAGES = CATALOGUES.languages


def language(locale: str | None) -> str:
    """'fr', 'fr-CA' → 'fr'; 'de-AT' → 'de'; anything not translated → 'en'."""
    return i18n.base_language(locale, LANGUAGES) or i18n.DEFAULT


class Translator(i18n.Translator):
    """The words and dates of one shopper's (or merchant's) language, in their zone."""

    def __init__(self, locale: str | None, tz: tzinfo = UTC, now: datetime | None = None) -> None:
        super().__init__(CATALOGUES, language(locale), tz, now)


def carrier_name(slug: str) -> str:
    """The carrier as it writes its name (shared with the status page: suivi_schemas.carriers)."""
    return display_name(slug)
