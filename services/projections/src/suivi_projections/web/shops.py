"""The shops the pages name: a merchant id (slug) → the shop's display name.

`Shops` is a port: `StaticShops` reads the `SUIVI_PROJECTIONS_MERCHANT_NAMES` setting (JSON,
like the notifier's); `DirectoryShops` reads the branding of the console's `merchants.v1`
records (`suivi_infra.merchants.MerchantDirectory`) and falls back on another `Shops`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol

from suivi_infra.merchants import MerchantDirectory


class Shops(Protocol):
    def name(self, merchant_id: str) -> str | None:
        """The shop's display name; None for a shop nobody named."""
        ...

    def listed(self) -> tuple[tuple[str, str], ...]:
        """(id, name) of the shops a lookup form may offer, by name."""
        ...


class StaticShops:
    def __init__(self, names: Mapping[str, str]) -> None:
        self._names = {k.lower(): v for k, v in names.items() if v.strip()}

    def name(self, merchant_id: str) -> str | None:
        return self._names.get(merchant_id.lower())

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
