"""When to try again: exponential backoff with jitter, Retry-After, and SMS quiet hours."""

from __future__ import annotations

import random
from datetime import UTC, datetime, time, timedelta, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError


def retry_delay(
    attempt: int,
    *,
    base_seconds: float,
    max_seconds: float,
    retry_after: float | None = None,
    retry_after_max_seconds: float = 6 * 3600,
    rng: random.Random | None = None,
) -> float:
    """Seconds before attempt `attempt + 1`. A peer's Retry-After is honoured (bounded);
    otherwise base·2^(attempt-1) capped at `max_seconds`, with "equal jitter" (half fixed,
    half random) so retries of many messages spread out yet never come back too early."""
    if retry_after is not None and retry_after >= 0:
        return min(retry_after, retry_after_max_seconds)
    ceiling = min(max_seconds, base_seconds * float(2 ** max(attempt - 1, 0)))
    draw: float = (rng or random).random()
    return ceiling / 2 + draw * ceiling / 2


def zone(name: str | None, fallback: tzinfo = UTC) -> tzinfo:
    """The IANA zone of a recipient; an unknown name falls back (never fails a message)."""
    if not name:
        return fallback
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return fallback


def quiet_until(now: datetime, tz: tzinfo, start: time, end: time) -> datetime | None:
    """When the recipient's night is over, or None if it is not night for them now.

    Night is [start, end) in their local time, across midnight when start > end (21:00-08:00).
    """
    local = now.astimezone(tz)
    at = local.time().replace(tzinfo=None)
    night = (at >= start or at < end) if start > end else (start <= at < end)
    if not night:
        return None
    day = local.date() if at < end else local.date() + timedelta(days=1)
    # A wall-clock time that DST skips resolves forward; it is still the morning.
    morning = datetime.combine(day, end, tzinfo=tz)
    return morning.astimezone(UTC)
