"""The links a message carries: the private status page, the return or claim page (after-sales,
behind the same token) and the unsubscribe page.

The status token is the platform's (suivi_infra.tokens); the unsubscribe token is the notifier's
own, derived the same way (HMAC-SHA256 with SUIVI_TOKEN_KEY) for another purpose, so an
unsubscribe link never opens the status page and vice versa.
"""

from __future__ import annotations

import base64
import hmac
from dataclasses import dataclass
from urllib.parse import quote

from pydantic import SecretStr

from suivi_infra.tokens import status_token


def unsubscribe_token(key: SecretStr, merchant_id: str, order_number: str) -> str:
    message = f"notifier-unsubscribe\x1f{merchant_id}\x1f{order_number}".encode()
    digest = hmac.digest(key.get_secret_value().encode(), message, "sha256")[:24]
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


@dataclass(frozen=True, slots=True)
class Links:
    key: SecretStr
    status_page_base_url: str
    public_base_url: str
    aftersales_base_url: str = "http://127.0.0.1:8094"

    def status_token(self, merchant_id: str, order_number: str) -> str:
        return status_token(self.key, merchant_id, order_number)

    def unsubscribe_token(self, merchant_id: str, order_number: str) -> str:
        return unsubscribe_token(self.key, merchant_id, order_number)

    def status_page(self, merchant_id: str, order_number: str) -> str:
        base = self.status_page_base_url.rstrip("/")
        return f"{base}/orders/{self.status_token(merchant_id, order_number)}"

    def aftersales_page(self, merchant_id: str, order_number: str, stream: str, number: str) -> str:
        """`<after-sales>/orders/<status token>/returns/<RMA>` (or `/claims/<number>`)."""
        base = self.aftersales_base_url.rstrip("/")
        token = self.status_token(merchant_id, order_number)
        return f"{base}/orders/{token}/{stream}s/{quote(number, safe='')}"

    def unsubscribe(self, merchant_id: str, order_number: str, channel: str = "email") -> str:
        base = self.public_base_url.rstrip("/")
        token = self.unsubscribe_token(merchant_id, order_number)
        return f"{base}/v1/unsubscribe/{token}?channel={channel}"
