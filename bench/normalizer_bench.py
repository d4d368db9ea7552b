"""Normalizer throughput on the real local broker, against a raw aiokafka pass-through baseline.

Both runs consume the same pre-filled raw topic with the same client settings (batches of 500,
read_committed, acks=all idempotent producer, commit after the sends are acknowledged):
  (a) baseline: consume → produce the same bytes → commit;
  (b) the normalizer service (FastStream app, adapters, dedup, metrics) → canonical events.
Also: normalize() alone in memory (no Kafka), to show where the time goes.
"""

from __future__ import annotations

import argparse
import asyncio
import time
import uuid
from datetime import UTC, datetime

from aiokafka.admin import AIOKafkaAdminClient, NewTopic

from bench.payloads import bodies
from suivi_infra.kafka import make_consumer, make_producer
from suivi_infra.records import KafkaSink
from suivi_infra.settings import KafkaSettings
from suivi_normalizer.bootstrap import bootstrap
from suivi_normalizer.domain.normalize import normalize
from suivi_normalizer.handlers.pipeline import OutRecord
from suivi_normalizer.settings import NormalizerSettings
from suivi_normalizer.testing.envelope import envelope_for

PARTITIONS = 6


async def create_topics(settings: KafkaSettings, *names: str) -> None:
    admin = AIOKafkaAdminClient(bootstrap_servers=settings.bootstrap_servers)
    await admin.start()
    try:
        await admin.create_topics([NewTopic(n, PARTITIONS, 1) for n in names])
    finally:
        await admin.close()
    await asyncio.sleep(1)


async def delete_topics(settings: KafkaSettings, names: list[str]) -> None:
    admin = AIOKafkaAdminClient(bootstrap_servers=settings.bootstrap_servers)
    await admin.start()
    try:
        await admin.delete_topics(names)
    finally:
        await admin.close()


async def fill(settings: KafkaSettings, topic: str, records: list[tuple[bytes, bytes]]) -> None:
    producer = make_producer(settings, linger_ms=20)
    await producer.start()
    try:
        futures = [await producer.send(topic, value, key=key) for key, value in records]
        await asyncio.gather(*futures)
    finally:
        await producer.stop()


async def passthrough(
    settings: KafkaSettings, source: str, sink: str, expected: int, *, batched: bool
) -> float:
    """Seconds from the first consumed record to the last commit.

    batched: records go out through the normalizer's own KafkaSink (per-partition aiokafka
    batches, keyed), so the ratio isolates the normalization work; otherwise one send() each.
    """
    consumer = make_consumer(settings, f"bench-pass-{uuid.uuid4().hex[:6]}", source)
    producer = make_producer(settings, linger_ms=5)
    kafka_sink = KafkaSink(producer)
    await producer.start()
    await consumer.start()
    seen, started = 0, 0.0
    try:
        while seen < expected:
            batch = await consumer.getmany(timeout_ms=1000, max_records=500)
            if not batch:
                continue
            started = started or time.perf_counter()
            futures = []
            for records in batch.values():
                if batched:
                    out = [OutRecord(r.key, r.value, list(r.headers)) for r in records]
                    futures += await kafka_sink.publish(sink, out)
                else:
                    for r in records:
                        futures.append(
                            await producer.send(sink, r.value, key=r.key, headers=r.headers)
                        )
                seen += len(records)
            await asyncio.gather(*futures)
            await consumer.commit()
        return time.perf_counter() - started
    finally:
        await consumer.stop()
        await producer.stop()


async def normalizer_run(
    settings: KafkaSettings, source: str, sink: str, dlq: str, expected: int
) -> tuple[float, int]:
    """Seconds from the first batch to the last one processed, and canonical events published."""
    config = NormalizerSettings(
        kafka=settings, raw_topic=source, status_topic=sink, dlq_topic=dlq,
        group_id=f"bench-norm-{uuid.uuid4().hex[:6]}", metrics_port=0,
    )  # fmt: skip
    service = bootstrap(config, serve_metrics=False)
    process = service.normalizer.process
    state = {"records": 0, "events": 0, "started": 0.0, "ended": 0.0}
    done = asyncio.Event()

    async def timed(records):  # type: ignore[no-untyped-def]
        state["started"] = state["started"] or time.perf_counter()
        result = await process(records)
        state["records"] += result.records
        state["events"] += result.published
        state["ended"] = time.perf_counter()
        if state["records"] >= expected:
            done.set()
        return result

    service.normalizer.process = timed  # type: ignore[method-assign]
    async with service.app:
        await asyncio.wait_for(done.wait(), timeout=600)
    return state["ended"] - state["started"], int(state["events"])


def in_memory(pairs: list[tuple[str, str]]) -> tuple[float, int]:
    now = datetime.now(UTC)
    raws = [envelope_for(p, b, now) for p, b in pairs]
    encoded = [r.model_dump_json().encode() for r in raws]
    from suivi_schemas import RawProviderEvent

    started = time.perf_counter()
    events = 0
    for value in encoded:
        for event in normalize(RawProviderEvent.model_validate_json(value)):
            event.model_dump_json().encode()
            events += 1
    return time.perf_counter() - started, events


async def main(count: int) -> None:
    settings = KafkaSettings(client_id="suivi-bench")
    pairs = bodies(count)
    now = datetime.now(UTC)
    records = []
    for provider, body in pairs:
        raw = envelope_for(provider, body, now, event_id=uuid.uuid4())
        records.append((provider.encode(), raw.model_dump_json().encode()))
    providers = sorted({p for p, _ in pairs})
    # Providers re-send a shipment's whole history with each update: a second stream where
    # every webhook arrives three times (same shipment, same key), as retries and updates do.
    third = count // 3
    replayed = [r for r in records[:third] for _ in range(3)]
    tag = uuid.uuid4().hex[:6]
    names = [f"bench.{n}.{tag}" for n in ("raw", "replay", "pass", "status", "status2", "dlq")]
    raw_t, replay_t, pass_t, status_t, status2_t, dlq_t = names
    await create_topics(settings, *names)
    try:
        await fill(settings, raw_t, records)
        await fill(settings, replay_t, replayed)
        mem_s, mem_events = in_memory(pairs[: min(count, 5000)])
        single_s = await passthrough(settings, raw_t, pass_t, count, batched=False)
        # The machine is shared with the broker: interleave two rounds, keep each one's best.
        base_s, norm_s, events = float("inf"), float("inf"), 0
        for _ in range(2):
            base_s = min(base_s, await passthrough(settings, raw_t, pass_t, count, batched=True))
            run_s, events = await normalizer_run(settings, raw_t, status_t, dlq_t, count)
            norm_s = min(norm_s, run_s)
        replay_s, replay_events = await normalizer_run(
            settings, replay_t, status2_t, dlq_t, len(replayed)
        )
    finally:
        await delete_topics(settings, names)

    base_rps = count / base_s
    norm_rps = count / norm_s
    norm_eps = events / norm_s
    print(f"normalizer benchmark: {count} raw webhooks from {', '.join(providers)}, "
          f"{events / count:.2f} canonical events per webhook")  # fmt: skip
    print(f"  in memory, normalize() alone      {mem_events / mem_s:10.0f} events/s")
    print(f"  aiokafka pass-through, send() each {count / single_s:10.0f} records/s   (reference)")
    print(f"  (a) aiokafka pass-through         {base_rps:10.0f} records/s   (batched; best of 2)")
    print(f"  (b) normalizer service            {norm_rps:10.0f} records/s   (best of 2)")
    print(f"      canonical events published    {norm_eps:10.0f} events/s")
    print(f"  ratio b/a, records/s              {norm_rps / base_rps:10.2f}")
    print(f"  ratio b/a, events/s vs records/s  {norm_eps / base_rps:10.2f}")
    replay_rps = len(replayed) / replay_s
    print(f"  (c) normalizer, histories re-sent {replay_rps:10.0f} records/s   "
          f"({replay_events} new events of {len(replayed)} webhooks)")  # fmt: skip
    print(f"  ratio c/a, records/s              {replay_rps / base_rps:10.2f}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--count", type=int, default=40_000, help="raw webhooks (default 40000)")
    asyncio.run(main(parser.parse_args().count))
