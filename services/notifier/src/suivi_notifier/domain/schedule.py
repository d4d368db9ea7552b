"""When to try again: exponential backoff with jitter, Retry-After, and SMS quiet hours."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta, tzinfo
from typing import Protocol
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from suivi_notifier.domain.outcomes import Permanent, SendOutcome, Sent
from suivi_schemas import Outcome


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


class RetryPolicy(Protocol):
    @property
    def retry_base_seconds(self) -> float: ...
    @property
    def retry_max_seconds(self) -> float: ...
    @property
    def retry_after_max_seconds(self) -> float: ...
    @property
    def max_attempts(self) -> int: ...


@dataclass(frozen=True, slots=True)
class Settlement:
    """What an attempt's outcome does to its row: the new state, and the result to publish
    (None: nothing to publish, the row stays as it is)."""

    state: str
    outcome: Outcome | None
    error: str | None = None
    next_attempt_at: datetime | None = None

    @property
    def metric(self) -> str | None:
        return _METRICS.get(self.outcome) if self.outcome is not None else None


_METRICS = {Outcome.SENT: "sent", Outcome.FAILED: "failed", Outcome.RETRYING: "retried"}


def settle(
    outcome: SendOutcome,
    *,
    state: str,
    ours: bool,
    attempt: int,
    now: datetime,
    policy: RetryPolicy,
    rng: random.Random | None = None,
) -> Settlement:
    """The one rule for every queue (shopper messages, merchant webhooks, digests).

    state/ours: the row's state now, and whether it is still this attempt's (pending, and not
    leased again since)."""
    if isinstance(outcome, Sent):
        # Sent is the truth even if the row was superseded or re-leased meanwhile.
        return Settlement("sent", Outcome.SENT) if state != "sent" else Settlement(state, None)
    if not ours:
        return Settlement(state, None)
    if isinstance(outcome, Permanent) or attempt >= policy.max_attempts:
        error = outcome.error if isinstance(outcome, Permanent) else f"gave_up_{outcome.error}"
        return Settlement("failed", Outcome.FAILED, error[:120])
    delay = retry_delay(
        attempt,
        base_seconds=policy.retry_base_seconds,
        max_seconds=policy.retry_max_seconds,
        retry_after=outcome.retry_after,
        retry_after_max_seconds=policy.retry_after_max_seconds,
        rng=rng,
    )
    return Settlement(
        "pending", Outcome.RETRYING, outcome.error[:120], now + timedelta(seconds=delay)
    )


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
