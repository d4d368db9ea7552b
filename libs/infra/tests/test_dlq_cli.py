"""`suivi-dlq` on the real broker: list, show masked, replay selected letters to their source."""

from __future__ import annotations

import asyncio
import json
import logging
from dataclasses import dataclass, field

import pytest
from aiokafka import AIOKafkaConsumer, TopicPartition

from suivi_infra.dlq import DeadLetterQueue, dead_letter
from suivi_infra.dlq_cli import REPLAYED_FROM, main
from suivi_infra.dlq_read import mask, masked_body, topic_partitions
from suivi_infra.kafka import make_producer
from suivi_infra.records import KafkaSink
from suivi_infra.settings import KafkaSettings
from suivi_infra.testing import TopicFactory

PERSONAL = {"provider": "easypost", "email": "jane.doe@example.com", "name": "Jane Doe"}


@dataclass
class Consumed:
    topic: str
    partition: int
    offset: int
    value: bytes
    key: bytes | None = b"easypost"
    headers: list[tuple[str, bytes]] = field(default_factory=lambda: [("trace", b"t1")])


def test_mask_hides_personal_values_and_keeps_the_structure() -> None:
    body = {
        "provider": "easypost",
        "result": {"tracking_code": "1Z999", "status": "delivered", "signed_by": "J. Doe"},
        "note": "call +33 6 12 34 56 78",
        "details": [{"message": "left with jane@example.com", "city": "Lyon"}],
        "text": "ring jane@example.com or +1 (555) 010-9999",
    }
    masked = mask(body)
    assert masked["result"] == {"tracking_code": "1Z999", "status": "delivered", "signed_by": "•••"}
    assert masked["details"] == [{"message": "•••", "city": "•••"}]
    assert masked["text"] == "ring ••• or •••"
    assert "jane" not in masked_body(b'{"a": "x", "b": "jane@example.com\\u0000"}')
    assert masked_body(b"\xff\x00 jane@example.com").startswith("(not JSON) ")
    assert "jane" not in masked_body(b"\xff\x00 jane@example.com")


def test_a_dead_letter_is_logged_with_reason_and_source_never_its_body(
    caplog: pytest.LogCaptureFixture,
) -> None:
    record = Consumed("tracking.raw.v1", 4, 17, json.dumps(PERSONAL).encode())
    with caplog.at_level(logging.WARNING, logger="suivi.dlq"):
        dead_letter(record, ValueError("data.carrier: missing"), provider="easypost")
    [line] = [r.getMessage() for r in caplog.records]
    assert "tracking.raw.v1:4@17" in line and "data.carrier: missing" in line
    assert "provider=easypost" in line
    assert "jane" not in line.lower()


async def _consume(
    settings: KafkaSettings, topic: str, n: int
) -> list[tuple[bytes, dict[str, bytes]]]:
    consumer = AIOKafkaConsumer(bootstrap_servers=settings.bootstrap_servers)
    await consumer.start()
    try:
        tps = [TopicPartition(topic, p) for p in await topic_partitions(settings, topic)]
        consumer.assign(tps)
        await consumer.seek_to_beginning(*tps)
        got: list[tuple[bytes, dict[str, bytes]]] = []
        async with asyncio.timeout(20):
            while len(got) < n:
                for records in (await consumer.getmany(timeout_ms=500)).values():
                    got += [(r.value or b"", dict(r.headers)) for r in records]
        await asyncio.sleep(0.5)
        for records in (await consumer.getmany(timeout_ms=500)).values():
            got += [(r.value or b"", dict(r.headers)) for r in records]
        return got
    finally:
        await consumer.stop()


@pytest.mark.integration
async def test_list_show_and_replay_selected_letters(
    kafka_settings: KafkaSettings,
    kafka_topic: TopicFactory,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    source = await kafka_topic("raw", partitions=3)
    dlq = await kafka_topic("raw.dlq", partitions=1)
    bodies = [dict(PERSONAL, n=i) for i in range(3)] + [{"provider": "shippo", "n": 3}]
    records = [
        Consumed(source, i % 3, 10 + i, json.dumps(b).encode()) for i, b in enumerate(bodies)
    ]
    errors: list[BaseException] = [ValueError("data.carrier: missing")] * 3 + [KeyError("x")]
    producer = make_producer(kafka_settings)
    await producer.start()
    try:
        await DeadLetterQueue(KafkaSink(producer), dlq).send(
            list(zip(records, errors, strict=True))
        )
    finally:
        await producer.stop()
    monkeypatch.setenv("KAFKA_BOOTSTRAP_SERVERS", kafka_settings.bootstrap_env)

    assert await asyncio.to_thread(main, ["list", "--records", dlq]) == 0
    listed = capsys.readouterr().out
    assert f"{dlq}: 4 letter(s)" in listed
    assert "     3" in listed and "easypost" in listed and "data.carrier: missing" in listed
    assert "KeyError" in listed and "shippo" in listed
    assert "jane" not in listed.lower()

    assert await asyncio.to_thread(main, ["show", "0:1", dlq]) == 0
    shown = capsys.readouterr().out
    assert "suivi-dlq-reason: data.carrier: missing" in shown
    assert '"provider": "easypost"' in shown and '"n": 1' in shown
    assert "jane" not in shown.lower() and "trace: (2 bytes)" in shown
    assert await asyncio.to_thread(main, ["show", "0:99", dlq]) == 1

    # Only the easypost letters whose reason matches go back, as first consumed.
    argv = ["replay", "--reason", "CARRIER", "--provider", "easypost", dlq]
    assert await asyncio.to_thread(main, [*argv[:1], "--dry-run", *argv[1:]]) == 0
    assert "3 letter(s) selected" in capsys.readouterr().out
    assert await asyncio.to_thread(main, argv) == 0
    assert "3 letter(s) replayed" in capsys.readouterr().out
    replayed = await _consume(kafka_settings, source, 3)
    assert sorted(json.loads(v)["n"] for v, _ in replayed) == [0, 1, 2]
    for _, headers in replayed:
        assert headers["trace"] == b"t1"
        assert headers[REPLAYED_FROM].startswith(f"{dlq}:0:".encode())
        assert not any(k.startswith("suivi-dlq-") and k != REPLAYED_FROM for k in headers)

    # A time range that holds no letter selects none.
    assert await asyncio.to_thread(main, ["replay", "--until", "2000-01-01T00:00:00", dlq]) == 0
    assert "0 letter(s) replayed" in capsys.readouterr().out
