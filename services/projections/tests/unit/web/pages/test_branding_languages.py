"""The console offers a shop's default language among BRANDING_LANGUAGES: the status pages
have a catalogue for each, and for no other."""

from __future__ import annotations

from suivi_projections.web.pages.i18n import SUPPORTED
from suivi_schemas.branding import BRANDING_LANGUAGES


def test_the_console_offers_the_pages_languages() -> None:
    assert set(BRANDING_LANGUAGES) == set(SUPPORTED)
