"""Polled bodies onto `tracking.raw.v1` as `RawProviderEvent`s of their provider, so the
normalizer parses them exactly like webhooks.

The event id is derived from (provider, tracking number, body hash): a body published again
(a poll repeated after a crash, before its outcome was recorded) is the same event, which the
consumers already deduplicate. Keyed `provider:TRACKINGNUMBER` like ingest's records, acks=all
through the shared `KafkaSink`.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from suivi_infra.records import OutRecord, RecordSink
from suivi_schemas.ids import derived_event_id
from suivi_schemas.raw import IngestMetadata, RawProviderEvent
from suivi_tracker.domain.sources import Polled

SIGNATURE_SCHEME = "tracker-poll"  # not a webhook: fetched by Suivi over TLS with its credentials


@dataclass(frozen=True, slots=True)
class PolledBody:
    tracking_number: str
    source: str
    polled: Polled
    body_hash: str
    at: datetime


def raw_event(item: PolledBody, instance: str) -> RawProviderEvent:
    provider = item.polled.provider
    event_id = derived_event_id("tracker-poll", provider, item.tracking_number, item.body_hash)
    return RawProviderEvent(
        event_id=event_id,
        provider=provider,
        received_at=item.at,
        content_type=item.polled.content_type,
        body=item.polled.body.decode("utf-8", errors="replace"),
        body_sha256=RawProviderEvent.digest(item.polled.body),
        delivery_id=f"poll:{item.body_hash[:32]}",
        headers={"x-suivi-source": item.source},
        ingest=IngestMetadata(
            request_id=str(event_id),
            signature_scheme=SIGNATURE_SCHEME,
            ingest_instance=instance,
            content_length=len(item.polled.body),
        ),
    )


class RawPublisher:
    """Publishes polled bodies and waits for the broker's acknowledgements."""

    def __init__(self, sink: RecordSink, topic: str, instance: str) -> None:
        self._sink = sink
        self._topic = topic
        self._instance = instance

    async def publish(self, items: Sequence[PolledBody]) -> None:
        records = [
            OutRecord(
                key=f"{i.polled.provider}:{i.tracking_number}".encode(),
                value=RawProviderEvent.__pydantic_serializer__.to_json(
                    raw_event(i, self._instance)
                ),
            )
            for i in items
        ]
        acks = await self._sink.publish(self._topic, records)
        await asyncio.gather(*acks)
