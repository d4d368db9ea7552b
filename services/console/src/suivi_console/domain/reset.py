"""Password-reset links: `<user id>.<expiry>.<HMAC>` signed with the console's secret key and
bound to the current password hash, so a link stops working once used (the hash changes)."""

from __future__ import annotations

import hashlib
import hmac
from datetime import datetime, timedelta


def _mac(key: str, user_id: int, expires: int, password_hash: str) -> str:
    message = f"reset\x1f{user_id}\x1f{expires}\x1f{password_hash}".encode()
    return hmac.new(key.encode(), message, hashlib.sha256).hexdigest()


def make_token(key: str, user_id: int, password_hash: str, now: datetime, ttl: timedelta) -> str:
    expires = int((now + ttl).timestamp())
    return f"{user_id}.{expires}.{_mac(key, user_id, expires, password_hash)}"


def token_user(token: str) -> int | None:
    """The user id a token names (to load its hash), or None if malformed."""
    head = token.split(".", 1)[0]
    return int(head) if head.isdigit() and len(head) < 19 else None


def token_ok(key: str, token: str, password_hash: str, now: datetime) -> bool:
    parts = token.split(".")
    if len(parts) != 3 or not parts[0].isdigit() or not parts[1].isdigit():
        return False
    user_id, expires = int(parts[0]), int(parts[1])
    if now.timestamp() >= expires:
        return False
    return hmac.compare_digest(_mac(key, user_id, expires, password_hash), parts[2])
