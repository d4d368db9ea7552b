"""Every service that reads the one provider list (suivi_schemas.providers) covers it.

The normalizer's side (a module per slug) is checked in its own unit tests; here the sides that
live in other services.
"""

from __future__ import annotations

from suivi_ingest.webhooks import providers as ingest
from suivi_schemas.providers import PROVIDERS, SLUGS, ProviderKind, of_kind
from suivi_tracker.domain.routing import DEFAULT_PREFERENCE


def test_ingest_has_one_spec_per_listed_provider_and_no_other() -> None:
    assert set(ingest._SPECS) == SLUGS
    assert list(ingest.PROVIDERS) == [p.slug for p in PROVIDERS]
    assert all(slug == spec.slug for slug, spec in ingest.PROVIDERS.items())


def test_the_tracker_prefers_exactly_the_listed_aggregators() -> None:
    assert sorted(DEFAULT_PREFERENCE) == sorted(p.slug for p in of_kind(ProviderKind.AGGREGATOR))
