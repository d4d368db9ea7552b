"""Order page tokens, derived (not stored) so every service computes the same link.

The projections serve `/orders/{status_token}` and `/s/{share_token}`; the notifier puts the
private link in its messages. Both derive the tokens from the order's identity with a key only
the deployment knows (SUIVI_TOKEN_KEY): unguessable without the key, identical everywhere,
and no service reads another's tables to learn them. Rotating the key invalidates old links.
"""

from __future__ import annotations

import base64
import hmac

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

# 24 bytes of HMAC-SHA256 → 32 URL-safe characters, 192 bits.
_TOKEN_BYTES = 24


class TokenSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="SUIVI_", extra="ignore")

    # Local-development default only; every real deployment sets SUIVI_TOKEN_KEY.
    token_key: SecretStr = Field(default=SecretStr("suivi-local-development-token-key"))


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
