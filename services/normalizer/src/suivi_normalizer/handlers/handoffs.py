"""The normalizer that also publishes hand-offs: a batch's leg links on `tracking.legs.v1`.

After the canonical events of a batch are acknowledged (Normalizer.process), the bodies of
providers that state hand-offs (providers.handoffs), as the pipeline decoded them, are read for
their links, which are published and acknowledged before the batch returns, so offsets are
committed only after both. A body that cannot be read was dead-lettered already and yields no
link; a link already published recently (a provider re-sends the whole tracking) is not
published again, and one published twice is the same event (deterministic id).
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Any
from uuid import UUID

from suivi_infra.records import OutRecord
from suivi_normalizer.domain.envelope import RawEnvelope
from suivi_normalizer.domain.legs import links_of, reads_links
from suivi_normalizer.handlers.pipeline import BatchResult, Normalizer, RawRecord
from suivi_normalizer.providers import AdapterError


class LinkingNormalizer(Normalizer):
    """Normalizer + leg links (`legs_topic`; empty: links are not read)."""

    def __init__(self, *args: Any, legs_topic: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)  # the Normalizer's own arguments
        self.legs_topic = legs_topic

    def rereads(self, provider: str) -> bool:
        return bool(self.legs_topic) and reads_links(provider)

    async def process(self, records: Sequence[RawRecord]) -> BatchResult:
        result = await super().process(records)
        if self.legs_topic:
            await self.publish_links(result.read)
        return result

    async def publish_links(self, read: Sequence[tuple[RawEnvelope, Any]]) -> list[UUID]:
        """Reads and publishes the links of records read by the pipeline (envelope, decoded
        body); returns the ids published."""
        out: list[OutRecord] = []
        ids: list[UUID] = []
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
        if out:
            await asyncio.gather(*await self.sink.publish(self.legs_topic, out))
            self.recent.remember(ids)
        return ids
