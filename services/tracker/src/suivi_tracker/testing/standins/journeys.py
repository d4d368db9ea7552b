"""Scripted parcel journeys over a stand-in clock that tests and the demo fast-forward.

A journey is a list of steps, each `after` seconds from the journey's start (when it was
scripted, or for a number nobody scripted the first time a stand-in sees it: a registration or
a poll) with a neutral `stage` that every stand-in
turns into its own code and wording. A number nobody scripted follows `default_journey`; one
containing NOTFOUND is unknown to every stand-in, one containing NEEDZIP is refused without a
postal code by those whose API can ask for one.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone

STAGES = (
    "info_received",
    "accepted",
    "in_transit",
    "out_for_delivery",
    "failed_attempt",
    "available_for_pickup",
    "delivered",
    "exception",
    "returned",
)


class StandinClock:
    """Now = the anchor + elapsed real time times `speed`; `set` and `advance` move it (admin)."""

    def __init__(
        self,
        start: datetime | None = None,
        speed: float = 1.0,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._monotonic = monotonic
        self.speed = speed
        self._anchor = start or datetime.now(UTC)
        self._at = monotonic()

    def now(self) -> datetime:
        return self._anchor + timedelta(seconds=(self._monotonic() - self._at) * self.speed)

    def set(self, when: datetime) -> None:
        self._anchor, self._at = when, self._monotonic()

    def advance(self, seconds: float) -> None:
        self.set(self.now() + timedelta(seconds=seconds))


@dataclass(frozen=True, slots=True)
class Step:
    after: float  # seconds from the journey's start
    stage: str
    city: str = "Paris"
    country: str = "FR"
    postal_code: str = "75015"
    label: str | None = None  # the stand-in's own wording when None
    code: str | None = None  # the provider's own code, overriding the stage's


def default_journey(seconds: float, city: str = "Paris", country: str = "FR") -> list[Step]:
    """Label → accepted → hub → out for delivery → delivered, over `seconds`."""
    return [
        Step(0, "info_received", city, country),
        Step(seconds * 0.1, "accepted", city, country),
        Step(seconds * 0.4, "in_transit", "Lyon", country, "69007"),
        Step(seconds * 0.8, "out_for_delivery", city, country),
        Step(seconds, "delivered", city, country),
    ]


@dataclass
class Script:
    steps: list[Step]
    start: datetime | None = None
    not_found: bool = False
    needs_postal_code: bool = False


@dataclass
class Journeys:
    """Every number's script and start, shared by all stand-ins of one server."""

    clock: StandinClock
    journey_seconds: float = 2 * 86400
    scripts: dict[str, Script] = field(default_factory=dict)

    def script(
        self,
        number: str,
        steps: list[Step] | None = None,
        *,
        not_found: bool = False,
        needs_postal_code: bool = False,
        start: datetime | None = None,
    ) -> None:
        steps = steps if steps is not None else default_journey(self.journey_seconds)
        when = start or self.clock.now()
        self.scripts[number] = Script(list(steps), when, not_found, needs_postal_code)

    def _of(self, number: str) -> Script:
        script = self.scripts.get(number)
        if script is None:
            script = Script(default_journey(self.journey_seconds))
            script.not_found = "NOTFOUND" in number.upper()
            script.needs_postal_code = "NEEDZIP" in number.upper()
            self.scripts[number] = script
        return script

    def known(self, number: str) -> bool:
        return not self._of(number).not_found

    def needs_postal_code(self, number: str) -> bool:
        return self._of(number).needs_postal_code

    def due(self, number: str) -> list[tuple[datetime, Step]]:
        """The steps that happened by now, oldest first (starting the journey if new)."""
        script = self._of(number)
        if script.not_found:
            return []
        now = self.clock.now()
        if script.start is None:
            script.start = now
        at = [(script.start + timedelta(seconds=s.after), s) for s in script.steps]
        return [(when, step) for when, step in sorted(at, key=lambda p: p[0]) if when <= now]


_OFFSETS = {"FR": 1, "DE": 1, "NL": 1, "GB": 0, "US": -5, "CA": -5}


def local(when: datetime, country: str) -> datetime:
    """The step's wall time with a fixed offset of its country (winter time; UTC if unknown)."""
    return when.astimezone(timezone(timedelta(hours=_OFFSETS.get(country, 0))))
