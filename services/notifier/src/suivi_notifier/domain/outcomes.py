"""What one send attempt came to, as every channel adapter reports it."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Sent:
    provider_id: str | None = None


@dataclass(frozen=True, slots=True)
class Transient:
    """Worth another attempt later (4xx SMTP, HTTP 5xx/429, timeouts, refused connections)."""

    error: str
    retry_after: float | None = None


@dataclass(frozen=True, slots=True)
class Permanent:
    """Will never succeed as is (5xx SMTP, invalid number, no push subscription left)."""

    error: str


SendOutcome = Sent | Transient | Permanent


@dataclass(frozen=True, slots=True)
class PushOutcome:
    """Web push goes to every subscription of the order: what came of each."""

    done: tuple[int, ...] = ()  # subscriptions not to try again (delivered, or refused for good)
    gone: tuple[int, ...] = ()  # 404/410: the subscription no longer exists, removed
    outcome: SendOutcome = field(default_factory=Sent)
