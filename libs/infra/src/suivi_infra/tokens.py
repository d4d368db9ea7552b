"""Order page tokens, derived (not stored) so every service computes the same link.

The projections serve `/orders/{status_token}` and `/s/{share_token}`; the notifier puts the
private link in its messages. Both derive the tokens from the order's identity with a key only
the deployment knows (SUIVI_TOKEN_KEY): unguessable without the key, identical everywhere,
and no service reads another's tables to learn them. Rotating the key invalidates old links.

The key fails closed: outside development mode (SUIVI_ENV=development) a missing key, a key
published in this repository or a short one stops the service at start (`TokenSettings()`).
"""

from __future__ import annotations

import base64
import hmac

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

# 24 bytes of HMAC-SHA256 → 32 URL-safe characters, 192 bits.
_TOKEN_BYTES = 24

DEVELOPMENT_TOKEN_KEY = "suivi-local-development-token-key"  # noqa: S105 - public on purpose
# Keys that are public (in this repository): anyone could compute private page links.
PUBLIC_TOKEN_KEYS = frozenset({DEVELOPMENT_TOKEN_KEY, "dev-only-token-key-do-not-deploy"})
MIN_KEY_LENGTH = 32


class InsecureConfiguration(SystemExit):
    """A secret that must not be used here: the process stops with this one line (exit 1)."""


class TokenSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="SUIVI_", extra="ignore")

    # SUIVI_ENV: the one development-mode switch (deploy/run/dev.env and the tests set it).
    env: str = Field(default="", description="'development' accepts the public token key.")
    # No default: only development mode falls back to the public development key.
    token_key: SecretStr = SecretStr("")

    @property
    def development(self) -> bool:
        return self.env.strip().lower() == "development"

    @model_validator(mode="after")
    def _fail_closed(self) -> TokenSettings:
        # InsecureConfiguration is no ValueError: pydantic lets it through unchanged, so the
        # message never carries the input (a ValidationError would quote the secret).
        key = self.token_key.get_secret_value()
        if self.development:
            if not key:
                self.token_key = SecretStr(DEVELOPMENT_TOKEN_KEY)
            return self
        if not key:
            problem = "is not set"
        elif key in PUBLIC_TOKEN_KEYS:
            problem = "is a public development key"
        elif len(key) < MIN_KEY_LENGTH:
            problem = f"is shorter than {MIN_KEY_LENGTH} characters"
        else:
            return self
        raise InsecureConfiguration(
            f"refusing to start: SUIVI_TOKEN_KEY {problem}; set a random secret of at least "
            f"{MIN_KEY_LENGTH} characters (or SUIVI_ENV=development on a developer machine)"
        )


def _derive(key: SecretStr, purpose: str, merchant_id: str, order_number: str) -> str:
    message = f"{purpose}\x1f{merchant_id}\x1f{order_number}".encode()
    digest = hmac.digest(key.get_secret_value().encode(), message, "sha256")[:_TOKEN_BYTES]
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def status_token(key: SecretStr, merchant_id: str, order_number: str) -> str:
    """Token of the private status page (shows contact details: sent only to the shopper)."""
    return _derive(key, "status", merchant_id, order_number)


def share_token(key: SecretStr, merchant_id: str, order_number: str) -> str:
    """Token of the shareable page (progress and items, never personal data)."""
    return _derive(key, "share", merchant_id, order_number)
