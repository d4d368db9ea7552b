"""Languages: choice, complete catalogs, dates in the shopper's time zone."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from suivi_projections.web.pages.i18n import (
    SUPPORTED,
    Translator,
    catalog_keys,
    choose_language,
    zone,
)


def test_catalogs_have_the_same_keys() -> None:
    english = catalog_keys("en")
    for language in SUPPORTED:
        assert catalog_keys(language) == english, language


@pytest.mark.parametrize(
    ("override", "order_locale", "accept", "expected"),
    [
        (None, "fr", "en-US,en;q=0.9", "fr"),
        (None, "fr-CA", None, "fr"),
        (None, "de", "fr-FR,fr;q=0.9,en;q=0.8", "fr"),
        (None, "de", "de-DE, en;q=0.5, fr;q=0.7", "fr"),
        (None, None, "es, it;q=0.8", "en"),
        (None, None, "fr;q=0, en", "en"),
        ("fr", "en", None, "fr"),
        ("xx", "en", "fr", "en"),
        (None, None, None, "en"),
    ],
)
def test_order_locale_then_accept_language_then_english(
    override: str | None, order_locale: str | None, accept: str | None, expected: str
) -> None:
    assert choose_language(override=override, order_locale=order_locale, accept=accept) == expected


def test_dates_in_the_order_time_zone_and_language() -> None:
    now = datetime(2025, 6, 1, tzinfo=UTC)
    moment = datetime(2025, 5, 13, 22, 30, tzinfo=UTC)  # already the 14th in Paris
    paris_fr = Translator("fr", ZoneInfo("Europe/Paris"), now)
    assert paris_fr.moment(moment) == "mercredi 14 mai à 00:30"
    assert paris_fr.day(date(2025, 5, 1), weekday=False) == "1er mai"
    new_york = Translator("en", ZoneInfo("America/New_York"), now)
    assert new_york.moment(moment) == "Tuesday 13 May, 18:30"
    assert new_york.day(date(2024, 12, 31)) == "Tuesday 31 December 2024"


def test_unknown_zones_fall_back_to_utc() -> None:
    assert zone("Mars/Olympus_Mons") is UTC
    assert zone("../../etc/passwd") is UTC
    assert zone(None) is UTC
