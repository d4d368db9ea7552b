"""The normalizer that also publishes hand-offs: a batch's leg links on `tracking.legs.v1`.

Once a batch's canonical events are queued (Normalizer.process), the bodies of providers that
state hand-offs (providers.handoffs), as the pipeline decoded them, are read for their links,
which are queued too: the batch waits once for every acknowledgement (one round trip to the
broker, not two in a row), so offsets are committed only after both. A body that cannot be
read was dead-lettered already and yields no link; a link already published recently (a
provider re-sends the whole tracking) is not published again, and one published twice (a
batch consumed again) is the same event (deterministic id).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Sequence
from typing import Any
from uuid import UUID

from suivi_infra.records import OutRecord
from suivi_normalizer.domain.envelope import RawEnvelope
from suivi_normalizer.domain.legs import links_of, reads_links
from suivi_normalizer.handlers.pipeline import BatchResult, Normalizer
from suivi_normalizer.providers import AdapterError


class LinkingNormalizer(Normalizer):
    """Normalizer + leg links (`legs_topic`; empty: links are not read)."""

    def __init__(self, *args: Any, legs_topic: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)  # the Normalizer's own arguments
        self.legs_topic = legs_topic

    def rereads(self, provider: str) -> bool:
        return bool(self.legs_topic) and reads_links(provider)

    async def publish_also(self, result: BatchResult) -> list[Awaitable[Any]]:
        if not self.legs_topic:
            return []
        out = self.links(result.read, result.also_ids)
        return await self.sink.publish(self.legs_topic, out) if out else []

    async def publish_links(self, read: Sequence[tuple[RawEnvelope, Any]]) -> list[UUID]:
        """Reads, publishes and remembers the links of records read by the pipeline (envelope,
        decoded body) once acknowledged; returns the ids published."""
        ids: list[UUID] = []
        out = self.links(read, ids)
        if out:
            await asyncio.gather(*await self.sink.publish(self.legs_topic, out))
            self.recent.remember(ids)
        return ids

    def links(self, read: Sequence[tuple[RawEnvelope, Any]], ids: list[UUID]) -> list[OutRecord]:
        """The records of the links not published recently, their ids appended to `ids`."""
        out: list[OutRecord] = []
        seen: set[UUID] = set()
        for raw, payload in read:
            if not reads_links(raw.provider):
                continue
            try:
                links = links_of(raw, payload)
            except (ValueError, AdapterError):
                continue  # a body its adapter cannot read either: dead-lettered already
            for link in links:
                if link.event_id in seen or link.event_id in self.recent:
                    continue
                seen.add(link.event_id)
                ids.append(link.event_id)
                out.append(OutRecord(link.key.encode(), link.model_dump_json().encode()))
        return out
