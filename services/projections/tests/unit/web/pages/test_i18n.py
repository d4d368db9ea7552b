"""Languages: choice, complete gettext catalogues, dates in the shopper's language and zone."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

import suivi_projections.web
from suivi_infra.i18n_check import problems
from suivi_projections.web.pages.i18n import (
    CATALOGUES,
    SUPPORTED,
    Translator,
    choose_language,
    zone,
)

WEB = Path(suivi_projections.web.__file__).parent


def test_six_languages() -> None:
    assert SUPPORTED == ("en", "de", "es", "fr", "it", "nl")


def test_catalogues_are_complete_and_hold_only_used_ids() -> None:
    # Every id the code and templates use (`t("…")`, keys.py) translated in every language,
    # no id nobody asks for, the same placeholders as English.
    assert problems(CATALOGUES, WEB) == []


@pytest.mark.parametrize(
    ("override", "chosen", "order_locale", "accept", "shop", "expected"),
    [
        (None, None, "fr", "en-US,en;q=0.9", None, "fr"),
        (None, None, "fr-CA", None, None, "fr"),
        (None, None, "de-AT", "fr-FR,fr;q=0.9", None, "de"),
        (None, None, "pt", "de-DE, en;q=0.5, fr;q=0.7", None, "de"),
        (None, None, None, "pt, it;q=0.8", None, "it"),
        (None, None, None, "fr;q=0, en", None, "en"),
        (None, None, None, "pt-BR", "nl", "nl"),
        (None, None, None, None, "es", "es"),
        ("fr", "de", "en", None, None, "fr"),
        (None, "de", "en", "fr", None, "de"),
        ("xx", None, "en", "fr", None, "en"),
        (None, None, None, None, None, "en"),
    ],
)
def test_picker_then_order_then_browser_then_shop_then_english(
    override: str | None,
    chosen: str | None,
    order_locale: str | None,
    accept: str | None,
    shop: str | None,
    expected: str,
) -> None:
    found = choose_language(
        override=override, chosen=chosen, order_locale=order_locale, accept=accept, shop=shop
    )
    assert found == expected


NOW = datetime(2026, 12, 5, 20, tzinfo=UTC)


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("en", "Tuesday 8 December"),
        ("fr", "mardi 8 décembre"),
        ("de", "Dienstag, 8. Dezember"),
        ("es", "martes 8 de diciembre"),
        ("it", "martedì 8 dicembre"),
        ("nl", "dinsdag 8 december"),
    ],
)
def test_days_by_babel_in_each_language(language: str, expected: str) -> None:
    assert Translator(language, UTC, NOW).day(date(2026, 12, 8)) == expected


def test_today_and_tomorrow_are_the_shoppers() -> None:
    # 23:30 on Saturday in Paris is already Sunday in Tokyo: "tomorrow" there is Monday.
    paris = Translator("de", ZoneInfo("Europe/Paris"), datetime(2026, 12, 5, 22, 30, tzinfo=UTC))
    tokyo = Translator("de", ZoneInfo("Asia/Tokyo"), datetime(2026, 12, 5, 22, 30, tzinfo=UTC))
    assert paris.day(date(2026, 12, 6)) == "morgen"
    assert tokyo.day(date(2026, 12, 6)) == "heute"
    assert tokyo.moment(datetime(2026, 12, 6, 1, 5, tzinfo=UTC)) == "heute um 10:05 Uhr"
    assert Translator("nl", UTC, NOW).moment(NOW) == "vandaag om 20:00"


def test_dates_in_the_order_time_zone_and_language() -> None:
    now = datetime(2025, 6, 1, tzinfo=UTC)
    moment = datetime(2025, 5, 13, 22, 30, tzinfo=UTC)  # already the 14th in Paris
    paris_fr = Translator("fr", ZoneInfo("Europe/Paris"), now)
    assert paris_fr.moment(moment) == "mercredi 14 mai à 00:30"
    assert paris_fr.day(date(2025, 5, 1), weekday=False) == "1er mai"
    assert paris_fr.day(date(2025, 5, 1)) == "jeudi 1er mai"
    new_york = Translator("en", ZoneInfo("America/New_York"), now)
    assert new_york.moment(moment) == "Tuesday 13 May, 18:30"
    assert new_york.day(date(2024, 12, 31)) == "Tuesday 31 December 2024"
    assert Translator("es", UTC, now).day(date(2024, 12, 31)) == "martes 31 de diciembre de 2024"


def test_unknown_zones_fall_back_to_utc() -> None:
    assert zone("Mars/Olympus_Mons") is UTC
    assert zone("../../etc/passwd") is UTC
    assert zone(None) is UTC
