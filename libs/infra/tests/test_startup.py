"""The shared start-with-retry: capped, jittered exponential back-off; transient failures are
retried with one log line each (no error message: it may hold a DSN), faults are raised."""

from __future__ import annotations

import logging

import asyncpg
import pytest

from suivi_infra.startup import Backoff, retry


def test_delays_grow_exponentially_within_the_jitter_and_stop_at_the_cap() -> None:
    backoff = Backoff(initial_seconds=1, max_seconds=10, factor=2, jitter=0.2)
    for attempt, base in [(1, 1), (2, 2), (3, 4), (4, 8)]:
        delays = {backoff.delay(attempt) for _ in range(50)}
        assert all(base * 0.8 <= d <= base * 1.2 for d in delays)
        assert len(delays) > 1  # jittered: instances do not retry in lockstep
    assert all(backoff.delay(30) <= 10 for _ in range(50))


async def test_transient_failures_are_retried_and_logged_once_each(
    caplog: pytest.LogCaptureFixture,
) -> None:
    outcomes: list[BaseException | str] = [
        ConnectionRefusedError("postgresql://suivi:secret@db/suivi"),
        asyncpg.CannotConnectNowError("the database system is shutting down"),
        "connected",
    ]
    cleanups: list[int] = []

    async def attempt() -> str:
        outcome = outcomes.pop(0)
        if isinstance(outcome, BaseException):
            raise outcome
        return outcome

    async def cleanup() -> None:
        cleanups.append(1)

    caplog.set_level(logging.INFO, logger="suivi_infra.startup")
    fast = Backoff(initial_seconds=0.001, max_seconds=0.01)
    assert await retry("PostgreSQL", attempt, backoff=fast, cleanup=cleanup) == "connected"
    assert len(cleanups) == 2
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 2
    assert "attempt 1: ConnectionRefusedError" in warnings[0]
    assert "attempt 2: CannotConnectNowError" in warnings[1]
    assert "secret" not in caplog.text
    assert "available after 3 attempts" in caplog.text


async def test_a_fault_that_retrying_cannot_mend_is_raised_at_once() -> None:
    calls: list[int] = []

    async def attempt() -> None:
        calls.append(1)
        raise asyncpg.UndefinedTableError("a migration refers to a missing table")

    with pytest.raises(asyncpg.UndefinedTableError):
        await retry("PostgreSQL (migrations)", attempt)
    assert calls == [1]
