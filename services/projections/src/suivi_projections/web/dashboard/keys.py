"""Keyed values of the dashboard: the email's hash, sign-in links, CSRF tokens (no I/O).

Each use has its own key derived from SUIVI_TOKEN_KEY, so every API process computes the same
values and the token key itself never signs anything else. A link is
`<random id>.<expiry, epoch seconds>.<HMAC>`; the HMAC covers the shop, the id, the expiry and
the email's keyed hash, so a link only ever opens the session of the email it was mailed to.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass

from pydantic import SecretStr


def digest(value: str) -> bytes:
    """What the database keeps of a link or session id: SHA-256 (ids are 256-bit random)."""
    return hashlib.sha256(value.encode()).digest()


@dataclass(frozen=True, slots=True)
class ParsedLink:
    link_id: str
    expires: int
    signature: str


class DashboardKeys:
    def __init__(self, token_key: SecretStr) -> None:
        root = token_key.get_secret_value().encode()
        self._email = hmac.digest(root, b"dashboard-email", "sha256")
        self._link = hmac.digest(root, b"dashboard-link", "sha256")
        self._csrf = hmac.digest(root, b"dashboard-csrf", "sha256")

    def email_hash(self, email: str) -> bytes:
        """`email` comes normalised (trimmed, lower case)."""
        return hmac.digest(self._email, email.encode(), "sha256")

    def new_link(self, merchant_id: str, email_hash: bytes, expires: int) -> str:
        link_id = secrets.token_urlsafe(32)
        return f"{link_id}.{expires}.{self._sign(merchant_id, link_id, expires, email_hash)}"

    def signed(self, link: ParsedLink, merchant_id: str, email_hash: bytes) -> bool:
        """Whether the link was signed for this shop and email, compared in constant time."""
        expected = self._sign(merchant_id, link.link_id, link.expires, email_hash)
        return hmac.compare_digest(expected, link.signature)

    def _sign(self, merchant_id: str, link_id: str, expires: int, email_hash: bytes) -> str:
        text = f"{merchant_id}\x1f{link_id}\x1f{expires}\x1f{email_hash.hex()}".encode()
        return hmac.new(self._link, text, hashlib.sha256).hexdigest()

    def csrf(self, secret: str) -> str:
        """The form token of a session (its id) or of an anonymous form (its cookie's value)."""
        return hmac.new(self._csrf, secret.encode(), hashlib.sha256).hexdigest()

    def csrf_ok(self, secret: str | None, presented: str | None) -> bool:
        if not secret or not presented:
            return False
        return hmac.compare_digest(self.csrf(secret), presented)


def parse_link(text: str) -> ParsedLink | None:
    """None for anything that is not shaped as a link (then: 'invalid link')."""
    parts = text.split(".")
    if len(parts) != 3 or not (20 <= len(parts[0]) <= 64) or len(parts[2]) != 64:
        return None
    link_id, expires, signature = parts
    if not expires.isdigit() or len(expires) > 12:
        return None
    if not all(c.isalnum() or c in "-_" for c in link_id):
        return None
    return ParsedLink(link_id, int(expires), signature)
