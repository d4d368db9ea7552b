"""The port between the tracker and the systems that know where a parcel is (carriers, aggregators).

A *source* either takes a registration and then pushes events to ingest's webhook routes
(mode PUSH: EasyPost, AfterShip, 17TRACK, Shippo, UPS Track Alert, DHL push), or answers a poll
with the carrier's current tracking document (mode POLL: La Poste, USPS, UPS, FedEx, DHL). A
polled body is published by the tracker as a `RawProviderEvent` of `Polled.provider`, so the
normalizer's provider module for that slug parses it exactly like a pushed body.

Failures are typed so the scheduler can decide without knowing the source: `RateLimited` and
`Unavailable` are temporary (wait, back off, count towards the circuit breaker), `NeedsInfo` and
`Rejected` are permanent for this tracking until a merchant corrects it.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date
from typing import Protocol


class Mode(enum.StrEnum):
    PUSH = "push"  # registered once, then the source POSTs to ingest
    POLL = "poll"  # the tracker asks on its schedule


@dataclass(frozen=True, slots=True)
class TrackingRef:
    """What a source needs to know about one tracking."""

    carrier: str  # a Suivi carrier slug (suivi_schemas.carriers)
    tracking_number: str
    postal_code: str | None = None  # destination postal code (some carriers require it)
    country: str | None = None  # destination ISO 3166-1 alpha-2
    ship_date: date | None = None
    source_ref: str | None = None  # the source's own id, once registered (EasyPost trk_…)


@dataclass(frozen=True, slots=True)
class Registered:
    """A registration the source accepted; `source_ref` is kept to unregister later."""

    source_ref: str | None = None


@dataclass(frozen=True, slots=True)
class Polled:
    """One poll's answer: the body to publish on tracking.raw.v1 as this provider's event."""

    provider: str  # RawProviderEvent.provider: the normalizer module that parses `body`
    body: bytes
    content_type: str = "application/json"
    found: bool = True  # False: the source does not know the number (yet)


class SourceError(Exception):
    """A call to a source failed; subclasses say whether to retry."""


class RateLimited(SourceError):  # noqa: N818 - the port's vocabulary
    """429 (or a quota answer): wait `retry_after` seconds (None: use the source's policy)."""

    def __init__(self, retry_after: float | None = None) -> None:
        super().__init__(f"rate limited, retry after {retry_after}")
        self.retry_after = retry_after


class Unavailable(SourceError):  # noqa: N818 - the port's vocabulary
    """5xx, timeout, connection refused: temporary, backed off, counted by the circuit breaker."""

    def __init__(self, reason: str, retry_after: float | None = None) -> None:
        super().__init__(reason)
        self.retry_after = retry_after


class NeedsInfo(SourceError):  # noqa: N818 - the port's vocabulary
    """The source needs more about the parcel (e.g. `postal_code`, `ship_date`)."""

    def __init__(self, fields: tuple[str, ...]) -> None:
        super().__init__(f"needs {', '.join(fields)}")
        self.fields = fields


class Rejected(SourceError):  # noqa: N818 - the port's vocabulary
    """A permanent refusal for this tracking (invalid number, carrier not served, bad
    credentials)."""


class Source(Protocol):
    """One configured external API."""

    @property
    def name(self) -> str:
        """The source's slug: 'laposte', 'usps', 'ups', 'fedex', 'dhl', 'easypost', …"""
        ...

    @property
    def mode(self) -> Mode: ...

    def serves(self, carrier: str) -> bool:
        """Can this source track parcels of that carrier?"""
        ...

    def missing(self, ref: TrackingRef) -> tuple[str, ...]:
        """Fields this source needs for `ref` that it lacks (empty: ready to call)."""
        ...

    async def register(self, ref: TrackingRef) -> Registered:
        """PUSH sources: ask the source to push this tracking's events to ingest. Idempotent."""
        ...

    async def unregister(self, ref: TrackingRef) -> None:
        """PUSH sources: stop pushes (a no-op where the source has no such call). Idempotent."""
        ...

    async def poll(self, ref: TrackingRef) -> Polled:
        """POLL sources: the current tracking document."""
        ...

    async def quota_left(self) -> int | None:
        """Calls (or trackings) left in the source's current quota period; None when unmetered."""
        ...

    async def close(self) -> None:
        """Release the HTTP client."""
        ...
