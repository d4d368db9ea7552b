"""`MerchantDirectory`: the merchants every service knows, from the compacted `merchants.v1`
topic (read from the beginning at start-up, then kept current) merged with the bootstrap keys
of the environment (`merchant:key,…`, `suivi_infra.merchant_keys`).

A key is looked up by its SHA-256 digest in a dict: constant time in the number of merchants,
and the timing tells nothing useful (an attacker cannot choose keys whose digests collide with
a stored one). Environment keys keep their constant-time comparison in `MerchantKeys`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Protocol

from aiokafka import AIOKafkaConsumer, TopicPartition
from pydantic import ValidationError

from suivi_infra.merchant_keys import MerchantKeys
from suivi_infra.settings import KafkaSettings
from suivi_infra.tasks import cancel
from suivi_schemas.merchants import ApiKeyDigest, MerchantRecord, key_digest
from suivi_schemas.topics import MERCHANTS

log = logging.getLogger(__name__)
Clock = Callable[[], datetime]


class KeyLookup(Protocol):
    """What a service needs to authenticate a merchant's key: `MerchantKeys` (environment
    only) and `MerchantDirectory` (merchants.v1, then the environment) both are one."""

    def merchant_for(self, presented: str) -> str | None: ...


def _utcnow() -> datetime:
    return datetime.now(UTC)


class MerchantDirectory:
    """Answers `merchant_for_key` from the latest record of each merchant."""

    def __init__(self, env_pairs: tuple[tuple[str, str], ...] = (), clock: Clock = _utcnow) -> None:
        self._env = MerchantKeys(env_pairs)
        self._clock = clock
        self._records: dict[str, MerchantRecord] = {}
        self._keys: dict[str, tuple[str, ApiKeyDigest]] = {}
        self.loaded = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    def apply(self, merchant_id: str, record: MerchantRecord | None) -> None:
        """A record (or a tombstone, None) for `merchant_id`; an older revision is ignored."""
        current = self._records.get(merchant_id)
        if record is not None and current is not None and record.revision < current.revision:
            return
        if current is not None:
            for key in current.api_keys:
                self._keys.pop(key.sha256, None)
        if record is None:
            self._records.pop(merchant_id, None)
            return
        self._records[merchant_id] = record  # an inactive one too: its revision still counts
        if record.active:
            for key in record.api_keys:
                self._keys[key.sha256] = (merchant_id, key)

    def merchant_for_key(self, presented: str) -> str | None:
        found = self._keys.get(key_digest(presented))
        if found is not None:
            merchant_id, key = found
            record = self._records.get(merchant_id)
            if record is not None and record.active and key.valid_at(self._clock()):
                return merchant_id
            return None
        return self._env.merchant_for(presented)

    # The signature of MerchantKeys.merchant_for, so either fits where a key is checked.
    merchant_for = merchant_for_key

    def record(self, merchant_id: str) -> MerchantRecord | None:
        found = self._records.get(merchant_id)
        return found if found is not None and found.active else None

    def handle(self, key: bytes | None, value: bytes | None) -> None:
        """One consumed record; an unreadable one is logged (without its content) and skipped."""
        if key is None:
            return
        merchant_id = key.decode("utf-8", "replace")
        if value is None:
            self.apply(merchant_id, None)
            return
        try:
            record = MerchantRecord.model_validate_json(value)
        except ValidationError:
            log.warning("merchants.v1: unreadable record for a merchant skipped")
            return
        if record.merchant_id == merchant_id:
            self.apply(merchant_id, record)

    def start(
        self, settings: KafkaSettings, topic: str = MERCHANTS.name, retry_seconds: float = 5.0
    ) -> asyncio.Task[None]:
        """Follows `topic` in the background until `stop`; see `follow`."""
        self._task = asyncio.create_task(self.follow(settings, topic, retry_seconds))
        return self._task

    async def stop(self) -> None:
        await cancel(self._task)

    async def follow(
        self, settings: KafkaSettings, topic: str = MERCHANTS.name, retry_seconds: float = 5.0
    ) -> None:
        """`run`, again after `retry_seconds` whenever it fails (Kafka away, the topic not
        created yet): meanwhile the keys already learnt and the environment keys still work."""
        while True:
            try:
                await self.run(settings, topic)
            except Exception as exc:  # never a message: it may name brokers
                log.warning("%s not readable (%s); retrying in %.0f s",
                            topic, type(exc).__name__, retry_seconds)  # fmt: skip
            await asyncio.sleep(retry_seconds)

    async def run(self, settings: KafkaSettings, topic: str = MERCHANTS.name) -> None:
        """Reads `topic` from the beginning (no consumer group: every process reads it all),
        sets `loaded` once it reached the end offsets seen at start, and follows it until
        cancelled."""
        consumer = AIOKafkaConsumer(
            topic,
            bootstrap_servers=settings.bootstrap_servers,
            client_id=f"{settings.client_id}-merchants",
            group_id=None,  # no group: every partition is assigned to this consumer
            enable_auto_commit=False,
            auto_offset_reset="earliest",
            isolation_level="read_committed",
            request_timeout_ms=settings.request_timeout_ms,
        )
        await consumer.start()
        try:
            partitions = await _assignment(consumer, topic)
            ends = await consumer.end_offsets(partitions)
            pending = {tp for tp, end in ends.items() if end > 0}
            if not pending:
                self.loaded.set()
            while True:
                batches = await consumer.getmany(timeout_ms=500, max_records=1000)
                for tp, records in batches.items():
                    for record in records:
                        self.handle(record.key, record.value)
                    if tp in pending and await consumer.position(tp) >= ends[tp]:
                        pending.discard(tp)
                if not pending and not self.loaded.is_set():
                    log.info("merchants.v1 loaded: %d merchants", len(self._records))
                    self.loaded.set()
        finally:
            with contextlib.suppress(Exception):
                await consumer.stop()


async def _assignment(consumer: AIOKafkaConsumer, topic: str) -> list[TopicPartition]:
    for _ in range(200):
        assigned = consumer.assignment()
        if assigned:
            return sorted(assigned)
        await asyncio.sleep(0.05)
    raise RuntimeError(f"no partition of {topic} assigned: does the topic exist (suivi-topics)?")
