"""The normalizer that also publishes leg links: with the events, once per link."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from prometheus_client import CollectorRegistry

from suivi_infra.testing import RecordingSink
from suivi_normalizer.domain.dedup import RecentIds
from suivi_normalizer.handlers.handoffs import LinkingNormalizer
from suivi_normalizer.metrics import NormalizerMetrics
from suivi_normalizer.testing.envelope import envelope_for
from suivi_schemas.legs import LegLinkEvent

from .test_pipeline import Record

FIXTURES = Path(__file__).parents[2] / "fixtures"


def _record(provider: str, path: str, offset: int) -> Record:
    body = (FIXTURES / path).read_text(encoding="utf-8")
    raw = envelope_for(provider, body, datetime(2026, 5, 12, tzinfo=UTC))
    return Record(raw.model_dump_json().encode(), offset=offset)


def _normalizer(sink: RecordingSink, legs_topic: str = "legs") -> LinkingNormalizer:
    return LinkingNormalizer(
        sink, NormalizerMetrics(CollectorRegistry()), status_topic="status", dlq_topic="dlq",
        recent=RecentIds(1000), legs_topic=legs_topic,
    )  # fmt: skip


async def test_links_are_published_keyed_by_the_earlier_leg_once() -> None:
    sink = RecordingSink()
    normalizer = _normalizer(sink)
    record = _record("aftership", "aftership/cainiao_last_mile_laposte.json", 0)
    await normalizer.process([record, record, Record(b"not json", offset=2)])
    await normalizer.process([record])  # AfterShip re-sends the whole tracking: not again
    (sent,) = sink.on("legs")
    link = LegLinkEvent.model_validate_json(sent.value)
    assert sent.key == b"cainiao:LP00712345678901"
    assert (link.to_carrier, link.to_tracking_number) == ("laposte", "6A18987654321")
    assert sink.on("status") and len(sink.on("dlq")) == 1


async def test_no_topic_no_links() -> None:
    sink = RecordingSink()
    normalizer = _normalizer(sink, legs_topic="")
    await normalizer.process([_record("aftership", "aftership/cainiao_last_mile_laposte.json", 0)])
    assert sink.on("legs") == [] and sink.on("status")


async def test_links_wait_for_the_same_acknowledgements_as_the_events() -> None:
    """Queued with the batch's events: a failed acknowledgement fails the batch (nothing
    committed) and remembers no link, so the batch consumed again publishes them again."""
    record = _record("aftership", "aftership/cainiao_last_mile_laposte.json", 0)
    failing = RecordingSink(fail=True)
    normalizer = _normalizer(failing)
    with pytest.raises(ConnectionError):
        await normalizer.process([record])
    assert [s.topic for s in failing.sent if s.topic != "status"] == ["legs"]
    assert len(normalizer.recent) == 0
    normalizer.sink = sink = RecordingSink()
    result = await normalizer.process([record])
    (sent,) = sink.on("legs")
    assert LegLinkEvent.model_validate_json(sent.value).event_id in normalizer.recent
    assert result.also_ids == [LegLinkEvent.model_validate_json(sent.value).event_id]
