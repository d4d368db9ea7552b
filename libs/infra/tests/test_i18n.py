"""Plural forms come from Babel's CLDR rules, not from string concatenation."""

from suivi_infra.i18n import plural

STALLED = {"one": "{n} bloqué", "other": "{n} bloqués"}


def test_french_singular_covers_zero_and_one() -> None:
    assert [plural("fr", STALLED, n) for n in (0, 1, 2)] == ["0 bloqué", "1 bloqué", "2 bloqués"]


def test_english_zero_is_plural_and_regional_tags_work() -> None:
    parcels = {"one": "{n} parcel", "other": "{n} parcels"}
    assert [plural("en-GB", parcels, n) for n in (0, 1, 3)] == [
        "0 parcels",
        "1 parcel",
        "3 parcels",
    ]
