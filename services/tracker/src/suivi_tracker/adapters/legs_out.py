"""Publishes the merchants' hand-offs (legs API) on `tracking.legs.v1`, acknowledged."""

from __future__ import annotations

import asyncio

from suivi_infra.records import OutRecord, RecordSink
from suivi_schemas.legs import LegLinkEvent


class LegPublisher:
    def __init__(self, sink: RecordSink, topic: str) -> None:
        self.sink, self.topic = sink, topic

    async def publish(self, link: LegLinkEvent) -> None:
        """Returns once Kafka acknowledged the link (acks=all); raises otherwise."""
        record = OutRecord(link.key.encode(), link.model_dump_json().encode())
        await asyncio.gather(*await self.sink.publish(self.topic, [record]))
