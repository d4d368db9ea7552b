"""Finding the poison in a failed batch: every consumer's `process(records)` is retried on
halves of the batch until the record(s) that make it fail are alone; those are dead-lettered
(with why) and the rest is processed, each part in its own `process` call (its own effect and
transaction). `process` must be idempotent, which every Suivi consumer is.

Which failures are the records' fault:
- infrastructure (Kafka or PostgreSQL unreachable, restarting, timing out, a serialization
  conflict) is never the records' fault: the batch fails as a whole and is consumed again;
- so is any other PostgreSQL error but a data error (a missing table or privilege is the
  deployment's fault: dead-lettering would empty the stream into the DLQ);
- data errors (PostgreSQL SQLSTATE classes 22, 23 and 54, a ValueError such as a validation
  error, a record too large for Kafka) are the isolated record's fault;
- anything else (a bug some value triggers) is the isolated record's fault only if other
  records of the same batch went through; if none did, the batch fails as a whole.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

import asyncpg
from aiokafka import errors as kafka_errors

from suivi_infra.records import ConsumedRecord

ProcessBatch = Callable[[Any], Awaitable[object]]
Failure = tuple[ConsumedRecord, BaseException]

# SQLSTATE classes: connection (08), rollback (40: serialization, deadlock), resources (53),
# operator intervention (57: shutdown, cancel), system (58).
_TRANSIENT_SQLSTATE_CLASSES = frozenset({"08", "40", "53", "57", "58"})
# Data exception (22: NUL in text, date out of range), integrity (23), limits (54: too large).
_RECORD_SQLSTATE_CLASSES = frozenset({"22", "23", "54"})
_RECORD_KAFKA_ERRORS = (kafka_errors.MessageSizeTooLargeError, kafka_errors.RecordTooLargeError)


class DeadLetters(Protocol):
    """A consumer's dead-letter topic (suivi_infra.dlq.DeadLetterQueue)."""

    async def send(self, failures: Sequence[Failure]) -> None: ...


def _chain(exc: BaseException) -> list[BaseException]:
    seen: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and current not in seen:
        seen.append(current)
        current = current.__cause__ or current.__context__
    return seen


def _sqlstate_class(exc: BaseException) -> str:
    return str(getattr(exc, "sqlstate", None) or "")[:2]


def is_transient(exc: BaseException) -> bool:
    """An infrastructure failure anywhere in the chain: retrying the same batch may succeed."""
    for err in _chain(exc):
        if isinstance(err, _RECORD_KAFKA_ERRORS):
            continue
        if isinstance(err, OSError | asyncpg.InterfaceError | kafka_errors.KafkaError):
            return True  # OSError covers ConnectionError and TimeoutError
        if _sqlstate_class(err) in _TRANSIENT_SQLSTATE_CLASSES:
            return True
    return False


def fails_the_batch(exc: BaseException) -> bool:
    """Not the records' fault whatever records the batch holds: no split, no dead letter."""
    if is_transient(exc):
        return True
    return isinstance(exc, asyncpg.PostgresError) and not is_record_error(exc)


def is_record_error(exc: BaseException) -> bool:
    """A failure caused by the data being processed (not by a bug or the infrastructure)."""
    if isinstance(exc, asyncpg.PostgresError):
        return _sqlstate_class(exc) in _RECORD_SQLSTATE_CLASSES
    return isinstance(exc, (ValueError, *_RECORD_KAFKA_ERRORS))  # UnicodeError is a ValueError


@dataclass(slots=True)
class _Split:
    process: ProcessBatch
    succeeded: int = 0
    poison: list[Failure] = field(default_factory=list)

    async def run(self, records: Sequence[Any], failure: BaseException | None) -> None:
        """`failure`: what `process(records)` already raised (else it is called here)."""
        if failure is None:
            try:
                await self.process(records)
            except Exception as exc:
                failure = exc
            else:
                self.succeeded += len(records)
                return
        if fails_the_batch(failure):
            raise failure
        if len(records) == 1:
            self.poison.append((records[0], failure))
            return
        middle = len(records) // 2
        await self.run(records[:middle], None)
        await self.run(records[middle:], None)


async def process_isolating_poison(
    records: Sequence[Any],
    process: ProcessBatch,
    dead_letters: DeadLetters | None,
    log: logging.Logger,
) -> None:
    """`process(records)`; if it fails for some records' sake, those are dead-lettered and the
    others processed. Raises (nothing dead-lettered) when the failure is not the records'."""
    try:
        await process(records)
        return
    except Exception as exc:
        if dead_letters is None or fails_the_batch(exc):
            raise
        first = exc
    split = _Split(process)
    await split.run(records, first)
    if not split.succeeded and not all(is_record_error(e) for _, e in split.poison):
        # Nothing went through: the fault is not in the records (a bug, a missing table).
        raise first
    for record, error in split.poison:
        log.warning(
            "dead-lettering %s:%d@%d (%s), the batch's other records were processed",
            record.topic,
            record.partition,
            record.offset,
            type(error).__name__,
        )
    await dead_letters.send(split.poison)
