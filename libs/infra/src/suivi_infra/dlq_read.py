"""Reading a dead-letter topic: its letters, their summary, selection and masked display."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient

from suivi_infra.kafka import consumer_options
from suivi_infra.records import Headers
from suivi_infra.settings import KafkaSettings

# Keys whose values are or may be personal data (names, contact details, addresses, secrets);
# matching a key masks its whole value, whatever its type.
_PERSONAL_KEY = re.compile(
    r"e-?mail|phone|mobile|^tel|name|address|addr|street|line_?\d|zip|postal|postcode|city|"
    r"recipient|signed_?by|signer|signature|contact|customer|shopper|buyer|first|last|^ip$|"
    r"token|secret|password|auth|endpoint|p256dh|company|note|comment|message",
    re.IGNORECASE,
)
# Free text anywhere else may still hold an email address or a phone number.
_EMAIL = re.compile(r"[^\s@\"']+@[^\s@\"']+")
_PHONE = re.compile(r"\+?\d[\d .()-]{7,}\d")
MASK = "•••"


@dataclass(frozen=True, slots=True)
class Letter:
    """One dead letter as read from its topic."""

    topic: str
    partition: int
    offset: int
    timestamp_ms: int
    key: bytes | None
    value: bytes
    headers: Headers

    def header(self, name: str) -> str:
        for key, value in self.headers:
            if key == f"suivi-dlq-{name}":
                return value.decode(errors="replace")
        return ""

    @property
    def reason(self) -> str:
        return self.header("reason") or "(no reason header)"

    @property
    def source_topic(self) -> str:
        return self.header("source-topic")

    @property
    def provider(self) -> str:
        """The provider header (the normalizer's), else a top-level `provider` of the body."""
        if named := self.header("provider"):
            return named
        try:
            body = json.loads(self.value)
        except ValueError:
            return ""
        provider = body.get("provider") if isinstance(body, dict) else None
        return provider if isinstance(provider, str) else ""

    @property
    def failed_at(self) -> datetime:
        try:
            return datetime.fromisoformat(self.header("failed-at"))
        except ValueError:  # no header: the record's own (broker or producer) time
            return datetime.fromtimestamp(self.timestamp_ms / 1000, UTC)

    @property
    def where(self) -> str:
        return f"{self.partition}:{self.offset}"


def _letter(topic: str, r: Any) -> Letter:
    return Letter(
        topic, r.partition, r.offset, r.timestamp, r.key, r.value or b"", list(r.headers or ())
    )


async def topic_partitions(settings: KafkaSettings, topic: str) -> list[int]:
    """The topic's partition numbers, or LookupError when the cluster has no such topic."""
    admin = AIOKafkaAdminClient(bootstrap_servers=settings.bootstrap_servers)
    await admin.start()
    try:
        described = await admin.describe_topics([topic])
    finally:
        await admin.close()
    partitions = sorted(p["partition"] for d in described for p in d.get("partitions", ()))
    if not partitions:
        raise LookupError(f"no topic {topic!r} on {settings.bootstrap_env}")
    return partitions


async def read_letters(settings: KafkaSettings, topic: str) -> list[Letter]:
    """Every record of the topic, from the start to the end offsets it has now."""
    # No group: reading a dead-letter topic must never move any consumer's offsets.
    options = consumer_options(settings, "unused") | {"group_id": None}
    partitions = await topic_partitions(settings, topic)
    consumer = AIOKafkaConsumer(**options)
    await consumer.start()
    try:
        tps = [TopicPartition(topic, p) for p in partitions]
        consumer.assign(tps)
        await consumer.seek_to_beginning(*tps)
        ends = await consumer.end_offsets(tps)
        letters: list[Letter] = []
        while [tp for tp in tps if await consumer.position(tp) < ends[tp]]:
            batches = await consumer.getmany(timeout_ms=1000, max_records=1000)
            for tp, records in batches.items():
                letters += [_letter(tp.topic, r) for r in records if r.offset < ends[tp]]
        return sorted(letters, key=lambda letter: (letter.partition, letter.offset))
    finally:
        await consumer.stop()


@dataclass(frozen=True, slots=True)
class Selection:
    """Which letters to look at or replay; every given criterion must hold."""

    reason: str | None = None
    provider: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    records: frozenset[str] = frozenset()  # "partition:offset"

    def __call__(self, letter: Letter) -> bool:
        if self.reason and self.reason.lower() not in letter.reason.lower():
            return False
        if self.provider and letter.provider != self.provider:
            return False
        if self.since and letter.failed_at < self.since:
            return False
        if self.until and letter.failed_at >= self.until:
            return False
        return not self.records or letter.where in self.records


@dataclass
class Group:
    source_topic: str
    reason: str
    provider: str
    count: int
    oldest: datetime
    newest: datetime


def summarize(letters: Iterable[Letter]) -> list[Group]:
    """Letters by source topic, reason and provider, the largest group first."""
    groups: dict[tuple[str, str, str], Group] = {}
    for letter in letters:
        key = (letter.source_topic, letter.reason, letter.provider)
        at = letter.failed_at
        if (group := groups.get(key)) is None:
            groups[key] = Group(*key, count=1, oldest=at, newest=at)
            continue
        group.count += 1
        group.oldest, group.newest = min(group.oldest, at), max(group.newest, at)
    return sorted(groups.values(), key=lambda g: (-g.count, g.source_topic, g.reason))


def mask_text(text: str) -> str:
    return _PHONE.sub(MASK, _EMAIL.sub(MASK, text))


def mask(value: Any, key: str = "") -> Any:
    """The JSON value with personal data masked: values under personal keys, and emails and
    phone numbers in any other string. Structure, keys, codes and times stay readable."""
    if key and _PERSONAL_KEY.search(key) and value not in (None, "", [], {}):
        return MASK
    if isinstance(value, dict):
        return {k: mask(v, str(k)) for k, v in value.items()}
    if isinstance(value, list):
        return [mask(v, key) for v in value]
    if isinstance(value, str):
        return mask_text(value)
    return value


def masked_body(value: bytes) -> str:
    """The body for a human: masked JSON, else a masked, printable excerpt of the bytes."""
    try:
        return json.dumps(mask(json.loads(value)), indent=2, ensure_ascii=False)
    except ValueError:
        text = value[:2000].decode("utf-8", errors="replace")
        printable = "".join(c if c.isprintable() or c in "\n\t" else "�" for c in text)
        more = f"\n… ({len(value)} bytes in all)" if len(value) > 2000 else ""
        return f"(not JSON) {mask_text(printable)}{more}"
