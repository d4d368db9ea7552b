"""The status pages' languages: which one a shopper reads, and its messages and dates.

Messages are gettext catalogues (`locales/<lang>/LC_MESSAGES/messages.po`, `make i18n`), read
and formatted by the machinery every service shares (`suivi_infra.i18n`); ids built at run
time are marked in `keys.py`.
"""

from __future__ import annotations

from datetime import UTC, datetime, tzinfo

from suivi_infra import i18n
from suivi_infra.i18n import zone

__all__ = ["DEFAULT", "SUPPORTED", "Translator", "catalog_keys", "choose_language", "zone"]

CATALOGUES = i18n.Catalogues("suivi_projections.web.pages")
SUPPORTED = CATALOGUES.languages
DEFAULT = i18n.DEFAULT
# The picker's cookie: the shopper's own choice, remembered on this browser for a year.
LANGUAGE_COOKIE = "suivi_lang"
NAMES = {
    "en": "English", "fr": "Français", "de": "Deutsch", "es": "Español", "it": "Italiano",
    "nl": "Nederlands",
}  # fmt: skip


def from_accept_language(header: str | None) -> str | None:
    return i18n.from_accept_language(header, SUPPORTED)


def choose_language(
    *,
    override: str | None = None,
    chosen: str | None = None,
    order_locale: str | None = None,
    accept: str | None = None,
    shop: str | None = None,
) -> str:
    """The picker (`?lang=`, then its remembered cookie), else the order's locale, else the
    browser's Accept-Language, else the shop's default language, else English."""
    for tag in (override, chosen, order_locale):
        found = i18n.base_language(tag, SUPPORTED)
        if found:
            return found
    return from_accept_language(accept) or i18n.base_language(shop, SUPPORTED) or DEFAULT


def catalog_keys(language: str) -> frozenset[str]:
    return CATALOGUES.keys(language)


class Translator(i18n.Translator):
    """Messages and dates of one language, dates shown in one time zone."""

    def __init__(self, language: str, tz: tzinfo = UTC, now: datetime | None = None) -> None:
        super().__init__(CATALOGUES, language, tz, now)
