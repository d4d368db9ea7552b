"""Dead letters: a record a consumer cannot process goes, unchanged, to its dead-letter topic
with `suivi-dlq-*` headers saying why and where it came from (the same for every service)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from datetime import UTC, datetime

from suivi_infra.records import ConsumedRecord, Headers, OutRecord, RecordSink

log = logging.getLogger("suivi.dlq")


def dlq_reason(exc: BaseException) -> str:
    """Why, without the record's content: a validation error gives its fields and error types
    only (its input values may be personal data), a database error its SQLSTATE, a ValueError
    or Suivi's own error its message, any other error its class."""
    sqlstate = getattr(exc, "sqlstate", None)
    if isinstance(sqlstate, str):
        # A database error's message and detail may quote the row: its class and code only.
        return f"{exc.__class__.__name__} (SQLSTATE {sqlstate})"
    errors = getattr(exc, "errors", None)
    if callable(errors):
        try:
            places = [
                ".".join(str(p) for p in e.get("loc", ())) + ":" + str(e.get("type"))
                for e in errors()
            ]
        except Exception:  # an errors() we do not understand: say only that it is invalid
            places = []
        return ("invalid fields " + ", ".join(places))[:1000] if places else "invalid record"
    if isinstance(exc, ValueError) or type(exc).__module__.startswith("suivi_"):
        return (str(exc) or exc.__class__.__name__)[:1000]
    # Python's or another library's message may quote a value (a KeyError its key): the class.
    return exc.__class__.__name__


def dead_letter_headers(record: ConsumedRecord, exc: BaseException, **extra: str) -> Headers:
    """The record's own headers (minus earlier suivi-dlq-*), then why and where; `extra`
    adds `suivi-dlq-<name>` headers (e.g. provider)."""
    headers: Headers = [(k, v) for k, v in record.headers or () if not k.startswith("suivi-dlq-")]
    headers += [
        ("suivi-dlq-reason", dlq_reason(exc).encode()),
        ("suivi-dlq-error", exc.__class__.__name__.encode()),
        ("suivi-dlq-source-topic", record.topic.encode()),
        ("suivi-dlq-source-partition", str(record.partition).encode()),
        ("suivi-dlq-source-offset", str(record.offset).encode()),
        ("suivi-dlq-failed-at", datetime.now(UTC).isoformat().encode()),
    ]
    headers += [(f"suivi-dlq-{name}", value.encode()) for name, value in extra.items()]
    return headers


def dead_letter(record: ConsumedRecord, exc: BaseException, **extra: str) -> OutRecord:
    """The record as consumed (key, value), with the `suivi-dlq-*` headers; logged with its
    reason and source only, never its body (it may hold personal data)."""
    headers = dead_letter_headers(record, exc, **extra)
    reason = dict(headers)["suivi-dlq-reason"].decode()
    where = f"{record.topic}:{record.partition}@{record.offset}"
    more = "".join(f" {name}={value}" for name, value in extra.items())
    # The extras are operator labels (e.g. provider), not content.
    log.warning("dead letter from %s%s: %s (%s)", where, more, reason, exc.__class__.__name__)
    return OutRecord(record.key, record.value or b"", headers)


class DeadLetterQueue:
    """A consumer's dead-letter topic: `send` returns once the broker acknowledged them all."""

    def __init__(self, sink: RecordSink, topic: str) -> None:
        self.sink = sink
        self.topic = topic

    async def send(self, failures: Sequence[tuple[ConsumedRecord, BaseException]]) -> None:
        if failures:
            letters = [dead_letter(record, exc) for record, exc in failures]
            await asyncio.gather(*await self.sink.publish(self.topic, letters))
