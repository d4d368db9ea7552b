"""The providers Suivi takes tracking from: one list, read by ingest, normalizer and tracker.

A provider's slug is public: it is the webhook route (`POST /v1/webhooks/{slug}`) and the
`provider` of every `RawProviderEvent`, so it never changes once published. Each consumer keeps
what is its own (ingest a `ProviderSpec` per slug, the normalizer a module per slug) and a test
checks that each covers exactly this list. Adding a provider: docs/webhooks.md, "Adding a provider".
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType


class ProviderKind(enum.StrEnum):
    AGGREGATOR = "aggregator"  # tracks many carriers' parcels once a number is registered
    CARRIER = "carrier"  # reports its own parcels; its slug is also its carrier slug (carriers.py)
    DIRECT = "direct"  # Suivi's own format: the sender already speaks the canonical vocabulary


@dataclass(frozen=True, slots=True)
class Provider:
    slug: str
    name: str  # display name, as the provider writes it
    kind: ProviderKind
    # The slug as a Python identifier, for module names and settings fields (17track is not one).
    ident: str = ""

    def __post_init__(self) -> None:
        if not self.ident:
            object.__setattr__(self, "ident", self.slug)


_A, _C = ProviderKind.AGGREGATOR, ProviderKind.CARRIER

PROVIDERS: tuple[Provider, ...] = (
    Provider("easypost", "EasyPost", _A),
    Provider("aftership", "AfterShip", _A),
    Provider("shippo", "Shippo", _A),
    Provider("suivi", "Suivi", ProviderKind.DIRECT),
    Provider("17track", "17TRACK", _A, ident="seventeentrack"),
    Provider("ups", "UPS", _C),
    Provider("fedex", "FedEx", _C),
    Provider("dhl", "DHL", _C),
    Provider("usps", "USPS", _C),
    Provider("laposte", "La Poste", _C),
    # Issue 17: ten more carriers (docs/tracking.md, "Carriers and their APIs").
    Provider("royal-mail", "Royal Mail", _C, ident="royal_mail"),
    Provider("canada-post", "Canada Post", _C, ident="canada_post"),
    Provider("australia-post", "Australia Post", _C, ident="australia_post"),
    Provider("postnl", "PostNL", _C),
    Provider("gls", "GLS", _C),
    Provider("dpd", "DPD", _C),
    Provider("mondial-relay", "Mondial Relay", _C, ident="mondial_relay"),
    Provider("cainiao", "Cainiao", _C),
    Provider("yunexpress", "YunExpress", _C),
    Provider("4px", "4PX", _C, ident="fourpx"),
)

BY_SLUG: Mapping[str, Provider] = MappingProxyType({p.slug: p for p in PROVIDERS})
SLUGS: frozenset[str] = frozenset(BY_SLUG)


def of_kind(kind: ProviderKind) -> tuple[Provider, ...]:
    """The providers of one kind, in list order."""
    return tuple(p for p in PROVIDERS if p.kind is kind)
