"""Starting a tracking: validate the number → carrier given or detected → route to a source →
create (or link to) the one tracking of (carrier, number). Idempotent: the same parcel asked
for twice, by one merchant or several, is one tracking with several links."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from datetime import date, datetime

import asyncpg

from suivi_schemas.carriers import ALIASES, canonical_carrier
from suivi_schemas.detection import HIGH_CONFIDENCE, Candidate, detect
from suivi_schemas.ids import normalize_tracking_number
from suivi_tracker.adapters import pg_store
from suivi_tracker.domain.routing import route
from suivi_tracker.domain.sources import Source, TrackingRef
from suivi_tracker.domain.states import State

MAX_NUMBER = 40
_NUMBER = re.compile(r"[A-Z0-9]{5,40}")
KNOWN_CARRIERS: frozenset[str] = frozenset(ALIASES.values())


class Refused(ValueError):  # noqa: N818 - an answer, not a failure
    """A request that cannot start a tracking; `code` is the API's error code."""

    def __init__(self, code: str, detail: str) -> None:
        super().__init__(detail)
        self.code = code
        self.detail = detail


@dataclass(frozen=True, slots=True)
class StartRequest:
    tracking_number: str
    carrier: str | None = None
    postal_code: str | None = None
    country: str | None = None
    ship_date: date | None = None
    merchant_id: str | None = None
    order_number: str = ""
    title: str | None = None
    detect_unknown_carrier: bool = False  # orders: a carrier we do not know → detect instead


@dataclass(frozen=True, slots=True)
class Started:
    row: asyncpg.Record
    created: bool


def clean_number(value: str) -> str:
    # NFKC first: full-width digits typed on a Japanese or Chinese keyboard are digits.
    number = normalize_tracking_number(unicodedata.normalize("NFKC", value))
    if len(number) > MAX_NUMBER:
        raise Refused("tracking_number_too_long", f"at most {MAX_NUMBER} letters and digits")
    if not _NUMBER.fullmatch(number):
        raise Refused(
            "tracking_number_invalid",
            f"5 to {MAX_NUMBER} letters and digits (spaces and dashes are ignored)",
        )
    return number


def known_carrier(value: str) -> str | None:
    try:
        slug = canonical_carrier(value)
    except ValueError:
        return None
    return slug if slug in KNOWN_CARRIERS else None


def choose_carrier(request: StartRequest, number: str) -> tuple[str, list[Candidate], bool]:
    """(carrier, ranked candidates when detected, uncertain?)."""
    if request.carrier is not None:
        slug = known_carrier(request.carrier)
        if slug is not None:
            return slug, [], False
        if not request.detect_unknown_carrier:
            raise Refused(
                "unknown_carrier", "not a carrier slug Suivi knows (see docs/tracking.md)"
            )
    candidates = detect(number)
    if not candidates:
        raise Refused(
            "carrier_not_detected", "no known carrier uses this number format: give `carrier`"
        )
    best = candidates[0]
    return best.carrier, candidates, best.confidence < HIGH_CONFIDENCE


class StartTracking:
    def __init__(
        self,
        sources: Sequence[Source],
        preference: Sequence[str],
        overrides: Mapping[str, str],
    ) -> None:
        self.sources = list(sources)
        self.preference = tuple(preference)
        self.overrides = dict(overrides)

    def new_tracking(
        self, request: StartRequest, number: str, carrier: str, candidates: list[Candidate],
        uncertain: bool, now: datetime,
    ) -> pg_store.NewTracking:  # fmt: skip
        source = route(carrier, self.sources, self.preference, self.overrides)
        needs: tuple[str, ...] = ()
        ref = TrackingRef(carrier, number, request.postal_code, request.country, request.ship_date)
        if source is None:
            state: State = State.UNSUPPORTED
        elif needs := source.missing(ref):
            state = State.NEEDS_INFO
        else:
            state = State.CARRIER_UNCERTAIN if uncertain else State.PENDING
        return pg_store.NewTracking(
            carrier=carrier,
            tracking_number=number,
            state=state.value,
            source=source.name if source else None,
            mode=source.mode.value if source else None,
            candidates=[asdict(c) for c in candidates],
            needs=needs,
            postal_code=request.postal_code,
            country=request.country,
            ship_date=request.ship_date,
            # Registration or first poll at once; `first_look` applies after it.
            next_due_at=now if state in (State.PENDING, State.CARRIER_UNCERTAIN) else None,
        )

    async def start(
        self, conn: asyncpg.Connection, request: StartRequest, now: datetime
    ) -> Started:
        """Raises `Refused` for a request that cannot be tracked (the API's 422s)."""
        number = clean_number(request.tracking_number)
        carrier, candidates, uncertain = choose_carrier(request, number)
        new = self.new_tracking(request, number, carrier, candidates, uncertain, now)
        link = None
        if request.merchant_id is not None:
            link = pg_store.Link(request.merchant_id, request.order_number, request.title)
        async with conn.transaction():
            row, created = await pg_store.create_or_link(conn, new, link, now)
            if not created and row["state"] == State.NEEDS_INFO:
                row = await self.resolve_needs(conn, row, now) or row
            elif not created and row["state"] == State.STOPPED and row["terminal_at"] is None:
                # Stopped because its merchants stopped following it, not delivered: asked for
                # again, it is followed again (a delivered one stays stopped).
                row = await pg_store.restart(conn, row["id"], new, now) or row
        return Started(row, created)

    def source_named(self, name: str | None) -> Source | None:
        return next((s for s in self.sources if s.name == name), None)

    async def resolve_needs(
        self, conn: asyncpg.Connection, row: asyncpg.Record, now: datetime
    ) -> asyncpg.Record | None:
        """A needs_info tracking that now has what its source asked for becomes due again."""
        source = self.source_named(row["source"])
        if source is None:
            return None
        ref = TrackingRef(
            row["carrier"], row["tracking_number"], row["postal_code"], row["country"],
            row["ship_date"],
        )  # fmt: skip
        if source.missing(ref):
            return None
        return await pg_store.set_state(conn, row["id"], State.PENDING, now, needs=())

    async def reroute_unsupported(self, conn: asyncpg.Connection, now: datetime) -> int:
        """Trackings left `unsupported` whose carrier a source now serves (credentials added
        since) are routed to it and due at once; returns how many. Run at start."""
        moved = 0
        for (carrier,) in await conn.fetch(
            "SELECT DISTINCT carrier FROM trackings WHERE state = $1", State.UNSUPPORTED.value
        ):
            source = route(carrier, self.sources, self.preference, self.overrides)
            if source is None:
                continue
            # A source that needs more answers NeedsInfo at its first call: needs_info then.
            done = await conn.execute(
                "UPDATE trackings SET state = $2, source = $3, mode = $4, next_due_at = $5, "
                "updated_at = $5 WHERE state = $6 AND carrier = $1",
                carrier, State.PENDING.value, source.name, source.mode.value, now,
                State.UNSUPPORTED.value,
            )  # fmt: skip
            moved += int(done.split()[-1])
        return moved
