"""Merchant API keys (`merchant:key`, looked up in constant time) and the body's merchant check."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable
from typing import Any

from pydantic import SecretStr

from suivi_ingest.orders.fields import slug
from suivi_ingest.settings import split_secrets


def check_merchant(payload: dict[str, Any], merchant_id: str) -> str | None:
    """None when the body names no merchant or the key's one; else what is wrong."""
    named = payload.get("merchant_id")
    if named is None:
        return None
    if not isinstance(named, str):
        return "merchant_id must be a string"
    if named.strip().lower() != merchant_id:
        return "merchant_id is not the merchant of this API key"
    return None


class MerchantKeys:
    """`merchant:key` pairs; a key is looked up in constant time (SHA-256 digests compared
    with `hmac.compare_digest`, every entry visited whichever matches)."""

    def __init__(self, pairs: Iterable[tuple[str, str]]) -> None:
        self._entries: list[tuple[bytes, str]] = []
        seen: dict[bytes, str] = {}
        for merchant, key in pairs:
            digest = _digest(key)
            if seen.get(digest, merchant) != merchant:
                raise ValueError(
                    f"SUIVI_INGEST_MERCHANT_KEYS: one key is set for both {seen[digest]!r} "
                    f"and {merchant!r}"
                )
            seen[digest] = merchant
            self._entries.append((digest, merchant))

    @classmethod
    def parse(cls, value: SecretStr | None) -> MerchantKeys:
        pairs = []
        for n, entry in enumerate(split_secrets(value), start=1):
            merchant, sep, key = entry.partition(":")
            where = f"SUIVI_INGEST_MERCHANT_KEYS entry {n}"
            if not sep or not key.strip():
                raise ValueError(f"{where} is not 'merchant:key'")
            try:
                pairs.append((slug(merchant), key.strip()))
            except ValueError as exc:
                raise ValueError(f"{where}: merchant id {exc}") from None
        return cls(pairs)

    @property
    def configured(self) -> bool:
        return bool(self._entries)

    @property
    def merchants(self) -> frozenset[str]:
        return frozenset(merchant for _, merchant in self._entries)

    def merchant_of(self, key: str) -> str | None:
        presented = _digest(key)
        found: str | None = None
        for digest, merchant in self._entries:
            if hmac.compare_digest(digest, presented):
                found = merchant
        return found


def _digest(key: str) -> bytes:
    return hashlib.sha256(key.encode("utf-8")).digest()
