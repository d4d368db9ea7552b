"""Session rules: a random id in the cookie, only its digest stored; idle and absolute expiry;
a session is 'pending' between the password and the second factor."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass(frozen=True, slots=True)
class SessionPolicy:
    idle: timedelta = timedelta(minutes=30)
    absolute: timedelta = timedelta(hours=12)
    pending: timedelta = timedelta(minutes=5)  # password given, second factor not yet


@dataclass(frozen=True, slots=True)
class SessionTimes:
    created_at: datetime
    last_seen_at: datetime
    authenticated: bool  # both factors given (or no second factor required yet)


def new_session_id() -> str:
    return secrets.token_urlsafe(32)


def session_digest(session_id: str) -> str:
    """What the table stores: a stolen table gives no usable cookie."""
    return hashlib.sha256(session_id.encode()).hexdigest()


def is_alive(times: SessionTimes, now: datetime, policy: SessionPolicy) -> bool:
    if not times.authenticated:
        return now - times.created_at < policy.pending
    return now - times.last_seen_at < policy.idle and now - times.created_at < policy.absolute


def csrf_token(session_secret: str) -> str:
    """The synchronizer token of a session: derived from its secret, never stored apart."""
    return hmac.new(session_secret.encode(), b"csrf", hashlib.sha256).hexdigest()


def csrf_ok(session_secret: str, presented: str | None) -> bool:
    return presented is not None and hmac.compare_digest(csrf_token(session_secret), presented)
