"""CSRF tokens of the shopper's forms: `issued.nonce.mac`, the MAC binding the page token and
the form's purpose, valid `ttl` seconds. The nonce doubles as the submission's idempotency
key: the same form posted twice makes one return."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from datetime import datetime

from pydantic import SecretStr
from starlette.requests import Request


class FormTokens:
    def __init__(self, key: SecretStr, ttl_seconds: int) -> None:
        # A key of its own, derived: a form token never equals any page token.
        self._key = hmac.digest(key.get_secret_value().encode(), b"suivi-aftersales-csrf", "sha256")
        self.ttl = ttl_seconds

    def _mac(self, page: str, purpose: str, issued: str, nonce: str) -> str:
        message = "\x1f".join((page, purpose, issued, nonce)).encode()
        digest = hmac.digest(self._key, message, "sha256")[:18]
        return base64.urlsafe_b64encode(digest).decode()

    def issue(self, page: str, purpose: str, now: datetime) -> str:
        issued = str(int(now.timestamp()))
        nonce = secrets.token_urlsafe(12)
        return f"{issued}.{nonce}.{self._mac(page, purpose, issued, nonce)}"

    def check(self, token: str, page: str, purpose: str, now: datetime) -> str | None:
        """The nonce when the token is this page's and purpose's and still fresh, else None."""
        parts = token.split(".")
        if len(parts) != 3 or not parts[0].isdigit() or len(token) > 200:
            return None
        issued, nonce, mac = parts
        expected = self._mac(page, purpose, issued, nonce)
        if not hmac.compare_digest(expected.encode(), mac.encode()):
            return None
        age = now.timestamp() - int(issued)
        if age < -60 or age > self.ttl:
            return None
        return hashlib.sha256(nonce.encode()).hexdigest()[:32]


def same_origin(request: Request) -> bool:
    """A browser's cross-site POST says where it comes from: refused (CSRF tokens aside).
    Sec-Fetch-Site first: under `Referrer-Policy: no-referrer` browsers send `Origin: null`."""
    site = request.headers.get("sec-fetch-site")
    if site is not None:
        return site in ("same-origin", "none")
    origin = request.headers.get("origin")
    if origin is None or origin == "null":
        return True
    return origin == f"{request.url.scheme}://{request.url.netloc}"
