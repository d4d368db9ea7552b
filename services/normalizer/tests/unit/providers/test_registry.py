"""The normalizer covers the one provider list: a module with a `parse` per slug, and no other."""

from __future__ import annotations

import pkgutil

import pytest

import suivi_normalizer.providers as providers
from suivi_normalizer.providers import UnknownProviderError, parser_for
from suivi_schemas.providers import PROVIDERS, SLUGS

# Modules of the package that are not a provider's: shared helpers and a provider's second part.
_HELPERS = {"base", "common", "handoffs", "places", "scans", "timeparse", "wording", "xmldoc"}
_HELPERS |= {
    "aftership_estimate",
    "fedex_estimate",
    "seventeentrack_codes",
    "ups_track",
    "usps_time",
}  # a provider's second part


def test_every_listed_provider_has_its_module() -> None:
    for provider in PROVIDERS:
        parse = parser_for(provider.slug)
        assert callable(parse)
        assert parse.__module__ == f"suivi_normalizer.providers.{provider.ident}"


def test_no_provider_module_is_missing_from_the_list() -> None:
    modules = {m.name for m in pkgutil.iter_modules(providers.__path__)} - _HELPERS
    assert modules == {p.ident for p in PROVIDERS}


@pytest.mark.parametrize("slug", ["nope", "seventeentrack", "UPS", ""])
def test_a_slug_not_listed_has_no_parser(slug: str) -> None:
    assert slug not in SLUGS
    with pytest.raises(UnknownProviderError):
        parser_for(slug)
