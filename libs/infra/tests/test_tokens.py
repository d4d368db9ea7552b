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


DEV_KEYS = ["suivi-local-development-token-key", "dev-only-token-key-do-not-deploy"]
REAL_KEY = "a-deployment-secret-of-at-least-32-characters"


@pytest.fixture
def production(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    monkeypatch.delenv("SUIVI_ENV", raising=False)
    monkeypatch.delenv("SUIVI_TOKEN_KEY", raising=False)
    return monkeypatch


def test_a_missing_key_is_refused_outside_development(production: pytest.MonkeyPatch) -> None:
    with pytest.raises(SystemExit) as refused:
        TokenSettings()
    assert "SUIVI_TOKEN_KEY" in str(refused.value)
    assert "\n" not in str(refused.value)


@pytest.mark.parametrize("key", [*DEV_KEYS, "short-key"])
def test_public_or_short_keys_are_refused_outside_development(
    production: pytest.MonkeyPatch, key: str
) -> None:
    production.setenv("SUIVI_TOKEN_KEY", key)
    with pytest.raises(SystemExit) as refused:
        TokenSettings()
    assert "SUIVI_TOKEN_KEY" in str(refused.value)
    assert key not in str(refused.value)  # never the value


def test_a_deployment_key_is_accepted(production: pytest.MonkeyPatch) -> None:
    production.setenv("SUIVI_TOKEN_KEY", REAL_KEY)
    assert TokenSettings().token_key.get_secret_value() == REAL_KEY


def test_development_mode_allows_the_development_key(production: pytest.MonkeyPatch) -> None:
    production.setenv("SUIVI_ENV", "development")
    assert TokenSettings().token_key.get_secret_value() == DEV_KEYS[0]
    production.setenv("SUIVI_TOKEN_KEY", DEV_KEYS[1])
    assert TokenSettings().token_key.get_secret_value() == DEV_KEYS[1]
