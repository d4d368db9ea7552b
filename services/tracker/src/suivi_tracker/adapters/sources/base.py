"""What every source shares: its name, mode, carriers, HTTP client and optional daily quota."""

from __future__ import annotations

from collections.abc import Mapping

from suivi_tracker.adapters.sources.http import SourceHttp
from suivi_tracker.adapters.sources.limits import DailyQuota
from suivi_tracker.domain.sources import Mode, Polled, Registered, Rejected, TrackingRef


class BaseSource:
    """Defaults of the Source port; a source overrides what its API does.

    `carriers` maps a Suivi carrier slug to the source's own name for it (a carrier API maps
    its own slug to itself; an aggregator maps each carrier it serves to its courier code).
    """

    name: str = ""
    mode: Mode = Mode.POLL
    carriers: Mapping[str, str] = {}

    def __init__(self, http: SourceHttp, quota: DailyQuota | None = None) -> None:
        self.http = http
        self.quota = quota

    def serves(self, carrier: str) -> bool:
        return carrier in self.carriers

    def missing(self, ref: TrackingRef) -> tuple[str, ...]:
        return ()

    def code_of(self, ref: TrackingRef) -> str:
        code = self.carriers.get(ref.carrier)
        if code is None:
            raise Rejected(f"{self.name} does not serve carrier {ref.carrier!r}")
        return code

    async def register(self, ref: TrackingRef) -> Registered:
        raise Rejected(f"{self.name} is polled, not registered")

    async def unregister(self, ref: TrackingRef) -> None:
        return None

    async def poll(self, ref: TrackingRef) -> Polled:
        raise Rejected(f"{self.name} pushes; it is not polled")

    async def quota_left(self) -> int | None:
        return self.quota.left() if self.quota is not None else None

    def spend(self, calls: int = 1) -> None:
        if self.quota is not None:
            self.quota.spend(calls)

    async def close(self) -> None:
        await self.http.close()
