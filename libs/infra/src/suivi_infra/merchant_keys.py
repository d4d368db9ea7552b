"""Merchant API keys (`merchant:key,merchant:key2,…`): parsed from a secret setting, checked in
constant time. Shared by every service that takes a merchant's `Authorization: Bearer`."""

from __future__ import annotations

import hashlib
import hmac
import secrets

from pydantic import SecretStr

MIN_KEY_LENGTH = 16


def parse_merchant_keys(value: SecretStr | None) -> tuple[tuple[str, str], ...]:
    """`shop-a:key1,shop-b:key2,shop-a:key3` → ((merchant, key), …); a merchant may have several
    keys (rotation). Malformed entries are refused rather than silently ignored."""
    if value is None:
        return ()
    pairs: list[tuple[str, str]] = []
    for position, entry in enumerate(value.get_secret_value().split(","), start=1):
        merchant, sep, key = entry.strip().partition(":")
        if not entry.strip():
            continue
        if not sep or not merchant.strip() or len(key.strip()) < MIN_KEY_LENGTH:
            # Never quote the entry: it holds a secret.
            raise ValueError(
                f"merchant key entry {position} is not 'merchant:key' with a key of at least "
                f"{MIN_KEY_LENGTH} characters"
            )
        pairs.append((merchant.strip(), key.strip()))
    return tuple(pairs)


class MerchantKeys:
    """Which merchant a presented key belongs to. Every configured key is compared, in constant
    time, on keyed digests of equal length: the answer's timing tells nothing about which key
    or how many characters matched."""

    def __init__(self, pairs: tuple[tuple[str, str], ...]) -> None:
        self._key = secrets.token_bytes(32)
        self._known = tuple((self._digest(key), merchant) for merchant, key in pairs)

    def _digest(self, value: str) -> bytes:
        return hmac.new(self._key, value.encode("utf-8"), hashlib.sha256).digest()

    def merchant_for(self, presented: str) -> str | None:
        given = self._digest(presented)
        found: str | None = None
        for expected, merchant in self._known:
            if hmac.compare_digest(expected, given):
                found = merchant
        return found
