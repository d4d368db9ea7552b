"""API keys: `sk_<merchant>_<43 random characters>` (256 bits), shown once, stored as SHA-256;
rotation keeps the old key valid for a grace period; revocation ends it at once."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from suivi_schemas.merchants import key_digest


@dataclass(frozen=True, slots=True)
class NewKey:
    key_id: str
    plaintext: str
    sha256: str
    prefix: str  # shown in lists to tell keys apart (not enough to use one)


def new_key(merchant_id: str) -> NewKey:
    plaintext = f"sk_{merchant_id}_{secrets.token_urlsafe(32)}"
    return NewKey(
        key_id=f"key_{secrets.token_hex(8)}",
        plaintext=plaintext,
        sha256=key_digest(plaintext),
        prefix=plaintext[: len(merchant_id) + 8],
    )


def grace_end(now: datetime, grace: timedelta, current_end: datetime | None) -> datetime:
    """When a rotated key stops working: the grace period, never later than an earlier end."""
    end = now + grace
    return end if current_end is None else min(end, current_end)


def new_webhook_secret() -> str:
    return f"whsec_{secrets.token_urlsafe(32)}"
