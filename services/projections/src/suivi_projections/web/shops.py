"""The shops the pages name and brand: a merchant id (slug) → display name and branding.

`Shops` is a port: `StaticShops` reads the settings (`SUIVI_PROJECTIONS_MERCHANT_NAMES`,
`SUIVI_PROJECTIONS_MERCHANT_BRANDING`, JSON); `DirectoryShops` reads the branding of the
console's `merchants.v1` records (`suivi_infra.merchants.MerchantDirectory`) and falls back on
another `Shops`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol

from suivi_infra.merchants import MerchantDirectory
from suivi_schemas.merchants import Branding


class Shops(Protocol):
    def name(self, merchant_id: str) -> str | None:
        """The shop's display name; None for a shop nobody named."""
        ...

    def listed(self) -> tuple[tuple[str, str], ...]:
        """(id, name) of the shops a lookup form may offer, by name."""
        ...

    def branding(self, merchant_id: str) -> Branding | None:
        """Colour, contacts and message of the shop, when it has some."""
        ...


class StaticShops:
    def __init__(
        self, names: Mapping[str, str], branding: Mapping[str, Branding] | None = None
    ) -> None:
        self._branding = {k.lower(): v for k, v in (branding or {}).items()}
        self._names = {k.lower(): v for k, v in names.items() if v.strip()}
        for merchant, brand in self._branding.items():
            self._names.setdefault(merchant, brand.display_name)

    def name(self, merchant_id: str) -> str | None:
        return self._names.get(merchant_id.lower())

    def branding(self, merchant_id: str) -> Branding | None:
        return self._branding.get(merchant_id.lower())

    def listed(self) -> tuple[tuple[str, str], ...]:
        return tuple(sorted(self._names.items(), key=lambda item: item[1].lower()))


class DirectoryShops:
    def __init__(self, directory: MerchantDirectory, fallback: Shops) -> None:
        self.directory = directory
        self.fallback = fallback

    def name(self, merchant_id: str) -> str | None:
        record = self.directory.record(merchant_id.lower())  # (active records only)
        if record is not None:
            return record.branding.display_name
        return self.fallback.name(merchant_id)

    def listed(self) -> tuple[tuple[str, str], ...]:
        return self.fallback.listed()

    def branding(self, merchant_id: str) -> Branding | None:
        record = self.directory.record(merchant_id.lower())
        return record.branding if record is not None else self.fallback.branding(merchant_id)
