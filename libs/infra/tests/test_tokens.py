"""Derived page tokens: stable, distinct per purpose and order, dependent on the key."""

from __future__ import annotations

import re

import pytest
from pydantic import SecretStr

from suivi_infra.tokens import TokenSettings, share_token, status_token

KEY = SecretStr("k1")


def test_tokens_are_stable_url_safe_and_long() -> None:
    token = status_token(KEY, "shop-a", "1001")
    assert token == status_token(KEY, "shop-a", "1001")
    assert re.fullmatch(r"[A-Za-z0-9_-]{32}", token)


def test_tokens_differ_by_purpose_order_merchant_and_key() -> None:
    tokens = {
        status_token(KEY, "shop-a", "1001"),
        share_token(KEY, "shop-a", "1001"),
        status_token(KEY, "shop-a", "1002"),
        status_token(KEY, "shop-b", "1001"),
        status_token(SecretStr("k2"), "shop-a", "1001"),
        # No ambiguity from concatenation: ("shop-a1", "001") is another order.
        status_token(KEY, "shop-a1", "001"),
    }
    assert len(tokens) == 6


def test_key_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SUIVI_TOKEN_KEY", "from-env")
    assert TokenSettings().token_key.get_secret_value() == "from-env"
