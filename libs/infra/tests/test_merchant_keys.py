"""Merchant keys: parsed strictly, found in constant time whichever key matches."""

from __future__ import annotations

import pytest
from pydantic import SecretStr

from suivi_infra.merchant_keys import MerchantKeys, parse_merchant_keys

A1, A2, B = "a" * 16, "a2" * 8, "b" * 20


def test_several_keys_per_merchant() -> None:
    pairs = parse_merchant_keys(SecretStr(f" shop-a:{A1}, shop-b:{B},shop-a:{A2},"))
    keys = MerchantKeys(pairs)
    assert [keys.merchant_for(k) for k in (A1, A2, B)] == ["shop-a", "shop-a", "shop-b"]
    assert keys.merchant_for("a" * 15) is None and keys.merchant_for("") is None
    assert parse_merchant_keys(None) == ()


@pytest.mark.parametrize("value", ["shop-a", "shop-a:short", ":" + "k" * 20])
def test_malformed_entries_are_refused_without_the_secret(value: str) -> None:
    with pytest.raises(ValueError, match="entry 1") as refused:
        parse_merchant_keys(SecretStr(value))
    assert "short" not in str(refused.value)
