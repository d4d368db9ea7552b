"""The hot path: one consumed batch of raw records → canonical events and dead letters.

Each record ends in exactly one place: its canonical events on the status topic, or itself on
the dead-letter topic with the reason. The batch's sends are awaited together; only if every
one was acknowledged does the caller commit the offsets. A Kafka failure raises, so nothing is
committed and the batch is consumed again.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import Counter
from collections.abc import Awaitable, Container, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from pydantic import ValidationError

from suivi_infra.dlq import DeadLetterQueue, dead_letter
from suivi_infra.records import ConsumedRecord, Headers, OutRecord, RecordSink
from suivi_normalizer.domain.dedup import RecentIds
from suivi_normalizer.domain.encode import encode_new
from suivi_normalizer.domain.envelope import RawEnvelope, read_envelope
from suivi_normalizer.domain.normalize import decode_body
from suivi_normalizer.metrics import NormalizerMetrics, provider_label
from suivi_normalizer.providers import AdapterError, UnknownProviderError, parser_for
from suivi_schemas import ShipmentStatus, Substatus

log = logging.getLogger(__name__)
UNKNOWN_CODE = Substatus.UNKNOWN_CODE  # an enum's member looked up once, not per event

# The names this module has always exported (tests, bench, kafka sink).
RawRecord = ConsumedRecord
EventSink = RecordSink
__all__ = ["EventSink", "Headers", "Normalizer", "OutRecord", "RawRecord"]


@dataclass(slots=True)
class BatchResult:
    records: int = 0
    published: int = 0
    duplicates: int = 0
    dead_lettered: int = 0
    published_ids: list[UUID] = field(default_factory=list)
    estimate_ids: list[UUID] = field(default_factory=list)  # remembered, not published
    # Each record whose envelope and body could be read and whose body is read again after the
    # events (`Normalizer.rereads`: hand-offs, handlers/handoffs.py), decoded once, whether or
    # not its adapter could. Only those: a batch's other bodies die with their record.
    read: list[tuple[RawEnvelope, Any]] = field(default_factory=list)
    also_ids: list[UUID] = field(default_factory=list)  # Normalizer.publish_also's


class _EitherOf:
    """Ids published recently or earlier in this batch, both kept by their integer (a UUID's
    hash is computed in Python: one `.int` here instead of a hash per container)."""

    __slots__ = ("first", "second")

    def __init__(self, first: Container[int], second: Container[int]) -> None:
        self.first, self.second = first, second

    def __contains__(self, item: object) -> bool:
        key = item.int if isinstance(item, UUID) else item
        return key in self.first or key in self.second


class Normalizer:
    def __init__(
        self,
        sink: EventSink,
        metrics: NormalizerMetrics,
        *,
        status_topic: str,
        dlq_topic: str,
        recent: RecentIds,
    ) -> None:
        self.sink = sink
        self.metrics = metrics
        self.status_topic = status_topic
        self.dlq_topic = dlq_topic
        # Also where the shared consumer puts records a batch fails on (suivi_infra.poison).
        self.dead_letters = DeadLetterQueue(sink, dlq_topic)
        self.recent = recent

    async def send(self, failures: Sequence[tuple[RawRecord, BaseException]]) -> None:
        """Dead letters of records the shared consumer isolated (suivi_infra.poison.DeadLetters),
        e.g. one whose events are too large to publish; counted once acknowledged."""
        await self.dead_letters.send(failures)
        for _, exc in failures:
            self.metrics.dead_letters.labels(provider_label(""), exc.__class__.__name__).inc()

    def rereads(self, provider: str) -> bool:
        """Whether this provider's decoded bodies are kept in BatchResult.read (none here)."""
        return False

    async def publish_also(self, result: BatchResult) -> list[Awaitable[Any]]:
        """Other records the batch publishes (none here), queued with its events so that one
        wait takes every acknowledgement; their ids go in result.also_ids, remembered once
        acknowledged."""
        return []

    async def process(self, records: Sequence[RawRecord]) -> BatchResult:
        started = time.perf_counter()
        result = BatchResult(records=len(records))
        to_status: list[OutRecord] = []
        to_dlq: list[OutRecord] = []
        raw_outcomes: Counter[tuple[str, str]] = Counter()
        published: Counter[tuple[str, ShipmentStatus]] = Counter()
        duplicates: Counter[str] = Counter()
        received: list[datetime] = []
        in_batch: set[int] = set()  # UUID.int
        known = _EitherOf(self.recent.by_int, in_batch)
        for record in records:
            provider: str | None = None
            try:
                raw = read_envelope(record.value)
                provider = raw.provider
                parser_for(provider)  # an unknown provider is refused before its body is read
                payload = decode_body(raw.body)
                if self.rereads(provider):
                    result.read.append((raw, payload))
                degraded: list[str] = []
                events, skipped = encode_new(raw, known, payload, degraded, revisions=True)
            # A poison record must never stop the partition: whatever fails goes to the DLQ.
            except Exception as exc:
                label = provider_label(provider or "")
                if not isinstance(exc, AdapterError | ValidationError | UnknownProviderError):
                    log.exception(
                        "unexpected failure normalizing %s:%d@%d",
                        record.topic,
                        record.partition,
                        record.offset,
                    )
                extra = {"provider": provider} if provider else {}
                to_dlq.append(dead_letter(record, exc, **extra))
                self.metrics.dead_letters.labels(label, exc.__class__.__name__).inc()
                raw_outcomes[(label, "dead_lettered")] += 1
                result.dead_lettered += 1
                continue
            label = provider_label(raw.provider)
            raw_outcomes[(label, "normalized")] += 1
            for name in degraded:  # optional fields the adapter did without (not dead-lettered)
                self.metrics.degraded_parse(label, name)
            if skipped:
                duplicates[label] += skipped
            if events:
                received.append(raw.received_at)
            for event in events:
                in_batch.add(event.event_id.int)
                if event.estimate_id is not None:  # its window: no revision when sent again
                    in_batch.add(event.estimate_id.int)
                    result.estimate_ids.append(event.estimate_id)
                if event.substatus is UNKNOWN_CODE and event.raw_code:
                    self.metrics.unknown_code(label, event.raw_code)
                to_status.append(OutRecord(event.key, event.value))
                published[(label, event.status)] += 1
                result.published_ids.append(event.event_id)
        pending = await self.sink.publish(self.status_topic, to_status) if to_status else []
        if to_dlq:
            pending += await self.sink.publish(self.dlq_topic, to_dlq)
        pending += await self.publish_also(result)
        # Every record must be acknowledged before the batch counts as done (and is committed).
        await asyncio.gather(*pending)
        self.recent.remember(result.published_ids)
        self.recent.remember(result.estimate_ids)
        self.recent.remember(result.also_ids)
        acked_at = datetime.now(UTC)
        for (label, outcome), n in raw_outcomes.items():
            self.metrics.raw_in.labels(label, outcome).inc(n)
        for (label, status), n in published.items():
            self.metrics.events_out.labels(label, status.value).inc(n)
        for label, n in duplicates.items():
            self.metrics.duplicates.labels(label).inc(n)
        for at in received:
            self.metrics.publish_lag.observe((acked_at - at).total_seconds())
        result.published = len(result.published_ids)
        result.duplicates = sum(duplicates.values())
        self.metrics.batch_size.observe(len(records))
        self.metrics.batch_duration.observe(time.perf_counter() - started)
        return result
