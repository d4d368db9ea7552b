"""The generic poison path: a failed batch is split until its poison is alone; infrastructure
failures and faults that are not the records' fail the whole batch (nothing dead-lettered)."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field

import asyncpg
import pytest

from suivi_infra.dlq import DeadLetterQueue
from suivi_infra.poison import (
    fails_the_batch,
    is_record_error,
    is_transient,
    process_isolating_poison,
)
from suivi_infra.testing import RecordingSink

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Record:
    offset: int
    topic: str = "in"
    partition: int = 0
    key: bytes | None = b"k"
    value: bytes | None = b"v"
    headers: Sequence[tuple[str, bytes]] = ()


@dataclass
class FakeProcess:
    """Fails a whole call when it holds a bad offset, like one transaction per call."""

    bad: dict[int, Exception]
    done: list[int] = field(default_factory=list)
    calls: int = 0

    async def __call__(self, records: Sequence[Record]) -> None:
        self.calls += 1
        for record in records:
            if record.offset in self.bad:
                raise self.bad[record.offset]
        self.done.extend(r.offset for r in records)


def _nul() -> asyncpg.PostgresError:
    return asyncpg.CharacterNotInRepertoireError("invalid byte sequence for encoding")


async def _run(process: FakeProcess, n: int, sink: RecordingSink | None = None) -> RecordingSink:
    sink = sink or RecordingSink()
    records = [Record(i) for i in range(n)]
    await process_isolating_poison(records, process, DeadLetterQueue(sink, "dlq"), log)
    return sink


async def test_the_poison_record_is_dead_lettered_with_its_reason_and_the_rest_processed() -> None:
    process = FakeProcess({5: _nul()})
    sink = await _run(process, 16)
    assert sorted(process.done) == [i for i in range(16) if i != 5]
    [letter] = sink.on("dlq")
    headers = dict(letter.headers or [])
    assert headers["suivi-dlq-source-offset"] == b"5"
    assert headers["suivi-dlq-error"] == b"CharacterNotInRepertoireError"
    assert headers["suivi-dlq-reason"] == b"CharacterNotInRepertoireError (SQLSTATE 22021)"
    assert process.calls <= 1 + 2 * 4  # a bisection, not one call per record


async def test_several_poisons_and_a_lone_poison_are_all_found() -> None:
    process = FakeProcess({0: _nul(), 7: ValueError("bad"), 8: _nul()})
    sink = await _run(process, 9)
    assert sorted(process.done) == [1, 2, 3, 4, 5, 6]
    assert sorted(int(dict(d.headers or [])["suivi-dlq-source-offset"]) for d in sink.sent) == [
        0,
        7,
        8,
    ]
    alone = FakeProcess({0: _nul()})
    assert len((await _run(alone, 1)).sent) == 1  # a data error needs no neighbours


@pytest.mark.parametrize(
    "error",
    [
        ConnectionError("broker gone"),
        TimeoutError(),
        asyncpg.ConnectionDoesNotExistError("closed"),
        asyncpg.AdminShutdownError("terminating"),
        asyncpg.SerializationError("conflict"),
        asyncpg.UndefinedTableError("no such table"),
    ],
)
async def test_infrastructure_failures_fail_the_batch_and_dead_letter_nothing(
    error: Exception,
) -> None:
    process = FakeProcess({3: error})
    sink = RecordingSink()
    with pytest.raises(type(error)):
        await _run(process, 8, sink)
    assert sink.sent == [] and process.calls == 1


async def test_infrastructure_failing_while_splitting_fails_the_batch() -> None:
    class Flaky(FakeProcess):
        async def __call__(self, records: Sequence[Record]) -> None:
            if self.calls == 2:  # the first half after the split: PostgreSQL went away
                self.calls += 1
                raise asyncpg.CannotConnectNowError("starting up")
            await super().__call__(records)

    sink = RecordingSink()
    with pytest.raises(asyncpg.CannotConnectNowError):
        await _run(Flaky({1: _nul()}), 4, sink)
    assert sink.sent == []


async def test_a_fault_no_record_gets_through_is_not_the_records_fault() -> None:
    bug: dict[int, Exception] = {i: RuntimeError("missing table") for i in range(4)}
    sink = RecordingSink()
    with pytest.raises(RuntimeError):
        await _run(FakeProcess(bug), 4, sink)
    with pytest.raises(RuntimeError):
        await _run(FakeProcess({0: RuntimeError("?")}), 1, sink)
    assert sink.sent == []


async def test_an_unknown_failure_of_one_record_while_its_neighbours_pass_is_poison() -> None:
    process = FakeProcess({2: KeyError("x")})
    sink = await _run(process, 4)
    assert sorted(process.done) == [0, 1, 3]
    assert dict(sink.sent[0].headers or [])["suivi-dlq-error"] == b"KeyError"


async def test_dead_letters_not_acknowledged_fail_the_batch() -> None:
    with pytest.raises(ConnectionError):
        await _run(FakeProcess({1: _nul()}), 2, RecordingSink(fail=True))


def test_classification() -> None:
    assert is_transient(RuntimeError("wrapped")) is False
    wrapped = RuntimeError("wrapped")
    wrapped.__cause__ = ConnectionResetError()
    assert is_transient(wrapped)
    assert is_record_error(asyncpg.UniqueViolationError("dup"))
    assert is_record_error(asyncpg.StringDataRightTruncationError("too long"))
    assert is_record_error(asyncpg.ProgramLimitExceededError("index row too large"))
    assert not is_record_error(asyncpg.UndefinedTableError("no table"))
    assert not is_transient(asyncpg.UndefinedTableError("no table"))
    assert fails_the_batch(asyncpg.UndefinedTableError("no table"))
    assert not fails_the_batch(KeyError("x"))
