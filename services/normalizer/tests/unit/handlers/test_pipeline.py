"""The hot path with a fake sink: routing, DLQ, dedup, and nothing remembered before the ack."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import pytest
from prometheus_client import CollectorRegistry

from suivi_infra.testing import RecordingSink
from suivi_normalizer.domain.dedup import RecentIds
from suivi_normalizer.handlers.pipeline import Normalizer
from suivi_normalizer.metrics import NormalizerMetrics
from suivi_normalizer.testing.envelope import envelope_for
from suivi_schemas import ShipmentStatusEvent

FIXTURES = Path(__file__).parents[2] / "fixtures"


@dataclass
class Record:
    value: bytes | None
    key: bytes | None = b"k"
    topic: str = "raw"
    partition: int = 0
    offset: int = 0
    headers: list[tuple[str, bytes]] = field(default_factory=list)


def _normalizer(
    sink: RecordingSink, recent: RecentIds | None = None
) -> tuple[Normalizer, CollectorRegistry]:
    registry = CollectorRegistry()
    normalizer = Normalizer(
        sink,
        NormalizerMetrics(registry),
        status_topic="status",
        dlq_topic="dlq",
        recent=recent if recent is not None else RecentIds(1000),
    )
    return normalizer, registry


def _raw(provider: str, fixture: str, offset: int = 0) -> Record:
    body = (FIXTURES / provider / fixture).read_text(encoding="utf-8")
    raw = envelope_for(provider, body, datetime(2026, 11, 22, tzinfo=UTC))
    return Record(raw.model_dump_json().encode(), offset=offset)


async def test_events_go_to_the_status_topic_keyed_and_oldest_first() -> None:
    sink = RecordingSink()
    normalizer, registry = _normalizer(sink)
    result = await normalizer.process([_raw("suivi", "history_out_of_order.json")])
    sent = sink.on("status")
    events = [ShipmentStatusEvent.model_validate_json(s.value) for s in sent]
    assert result.published == 3 and result.dead_lettered == 0
    assert {s.key for s in sent} == {b"laposte:6A12345678901"}
    assert [e.occurred_at for e in events] == sorted(e.occurred_at for e in events)
    assert (
        registry.get_sample_value(
            "suivi_normalizer_events_published_total", {"provider": "suivi", "status": "in_transit"}
        )
        == 2
    )


async def test_poison_goes_to_the_dlq_with_its_reason_and_the_rest_goes_on() -> None:
    sink = RecordingSink()
    normalizer, registry = _normalizer(sink)
    not_json = Record(b"{not json", offset=7, headers=[("trace", b"abc")])
    bad_payload = envelope_for("suivi", json.dumps({"carrier": "ups"}), datetime.now(UTC))
    unknown = envelope_for("suivi", "{}", datetime.now(UTC)).model_copy(
        update={"provider": "nobody"}
    )
    records = [
        not_json,
        Record(bad_payload.model_dump_json().encode(), offset=8),
        Record(unknown.model_dump_json().encode(), offset=9),
        _raw("suivi", "duplicates.json", offset=10),
    ]
    result = await normalizer.process(records)
    assert result.dead_lettered == 3
    assert result.published == 2
    dead = sink.on("dlq")
    assert dead[0].value == b"{not json"
    headers = [dict(s.headers or []) for s in dead]
    assert headers[0]["suivi-dlq-error"] == b"ValidationError"
    assert headers[0]["suivi-dlq-source-offset"] == b"7"
    assert headers[0]["trace"] == b"abc"  # the original headers travel along
    assert b"tracking_number: Field required" in headers[1]["suivi-dlq-reason"]
    assert headers[1]["suivi-dlq-provider"] == b"suivi"
    assert headers[2]["suivi-dlq-error"] == b"UnknownProviderError"
    assert (
        registry.get_sample_value(
            "suivi_normalizer_dead_letters_total", {"provider": "suivi", "error": "AdapterError"}
        )
        == 1
    )


async def test_already_published_events_are_not_published_again() -> None:
    sink = RecordingSink()
    normalizer, registry = _normalizer(sink)
    first = await normalizer.process([_raw("suivi", "history_out_of_order.json")])
    replay = await normalizer.process([_raw("suivi", "history_out_of_order.json", offset=1)])
    assert first.published == 3
    assert replay.published == 0 and replay.duplicates == 3
    assert len(sink.on("status")) == 3
    assert (
        registry.get_sample_value("suivi_normalizer_duplicate_events_total", {"provider": "suivi"})
        == 3
    )


async def test_nothing_is_remembered_when_kafka_does_not_acknowledge() -> None:
    recent = RecentIds(1000)
    failing, _ = _normalizer(RecordingSink(fail=True), recent)
    with pytest.raises(ConnectionError):
        await failing.process([_raw("suivi", "history_out_of_order.json")])
    assert len(recent) == 0
    # Redelivered after the failure: published in full.
    sink = RecordingSink()
    normalizer, _ = _normalizer(sink, recent)
    assert (await normalizer.process([_raw("suivi", "history_out_of_order.json")])).published == 3


async def test_unknown_codes_are_counted_per_provider_and_code() -> None:
    sink = RecordingSink()
    normalizer, registry = _normalizer(sink)
    await normalizer.process([_raw("suivi", "delivered_with_unknown_substatus.json")])
    assert (
        registry.get_sample_value(
            "suivi_normalizer_unknown_codes_total", {"provider": "suivi", "code": "DLV"}
        )
        == 1
    )


async def test_degraded_parses_are_counted_per_provider_and_field_not_dead_lettered() -> None:
    sink = RecordingSink()
    normalizer, registry = _normalizer(sink)
    result = await normalizer.process(
        [_raw("shippo", "public_shippo_python_usps_carrier_null.json")]
    )
    assert (result.published, result.dead_lettered) == (11, 0)
    assert (
        registry.get_sample_value(
            "suivi_normalizer_degraded_parses_total",
            {"provider": "shippo", "field": "data.carrier"},
        )
        == 1
    )
    await normalizer.process(
        [_raw("shippo", "public_shippo_python_usps_delivered_unknown_history.json")]
    )
    assert (
        registry.get_sample_value(
            "suivi_normalizer_degraded_parses_total",
            {"provider": "shippo", "field": "data.carrier"},
        )
        == 1
    )  # a body with its carrier is not degraded


def test_recent_ids_forget_the_oldest_beyond_capacity() -> None:
    import uuid

    ids = [uuid.uuid4() for _ in range(5)]
    recent = RecentIds(3)
    recent.remember(ids)
    assert [i in recent for i in ids] == [False, False, True, True, True]
    disabled = RecentIds(0)
    disabled.remember(ids)
    assert len(disabled) == 0


async def test_an_envelope_the_model_refuses_is_dead_lettered_with_the_models_reason() -> None:
    sink = RecordingSink()
    normalizer, _ = _normalizer(sink)
    good = json.loads(_raw("suivi", "history_out_of_order.json").value or b"")
    bad = [
        {**good, "provider": "Not a slug!"},
        {**good, "body_sha256": "0" * 63},
        {**good, "ingest": {**good["ingest"], "content_length": -1}},
        {k: v for k, v in good.items() if k != "received_at"},
    ]
    result = await normalizer.process(
        [Record(json.dumps(b).encode(), offset=i) for i, b in enumerate(bad)]
    )
    assert (result.dead_lettered, result.published) == (4, 0)
    headers = [dict(s.headers or []) for s in sink.on("dlq")]
    assert [h["suivi-dlq-error"] for h in headers] == [b"ValidationError"] * 4
    reasons = [h["suivi-dlq-reason"] for h in headers]
    assert b"provider" in reasons[0]
    assert b"body_sha256" in reasons[1]
    assert b"content_length" in reasons[2]
    assert b"received_at" in reasons[3]
