"""The one provider list: slugs unique and URL-safe, identifiers usable as module names."""

from __future__ import annotations

import re

from suivi_schemas.carriers import ALIASES, canonical_carrier
from suivi_schemas.providers import BY_SLUG, PROVIDERS, SLUGS, ProviderKind, of_kind


def test_slugs_are_unique_and_url_safe() -> None:
    assert len(SLUGS) == len(PROVIDERS) == len(BY_SLUG)
    for provider in PROVIDERS:
        assert re.fullmatch(r"[a-z0-9][a-z0-9-]*", provider.slug), provider
        assert provider.name.strip() == provider.name != ""


def test_identifiers_are_unique_python_names() -> None:
    idents = [p.ident for p in PROVIDERS]
    assert len(set(idents)) == len(idents)
    assert all(i.isidentifier() and i.islower() for i in idents), idents
    assert BY_SLUG["17track"].ident == "seventeentrack"
    assert BY_SLUG["ups"].ident == "ups"


def test_a_carrier_provider_is_keyed_by_its_own_carrier_slug() -> None:
    # A carrier's own webhooks and the aggregators' reports of its parcels meet on one shipment.
    carriers = of_kind(ProviderKind.CARRIER)
    assert {p.slug for p in carriers} == {
        *("ups", "fedex", "dhl", "usps", "laposte"),
        *("royal-mail", "canada-post", "australia-post", "postnl", "gls", "dpd"),
        *("mondial-relay", "cainiao", "yunexpress", "4px"),
    }
    for provider in carriers:
        assert provider.slug in ALIASES.values()
        assert canonical_carrier(provider.name) == provider.slug


def test_every_provider_has_one_kind() -> None:
    by_kind = {kind: {p.slug for p in of_kind(kind)} for kind in ProviderKind}
    assert by_kind[ProviderKind.AGGREGATOR] == {"easypost", "aftership", "shippo", "17track"}
    assert by_kind[ProviderKind.DIRECT] == {"suivi"}
    assert set().union(*by_kind.values()) == SLUGS
