"""One timer for many publishes: the same outcomes as `asyncio.timeout` for each of them."""

from __future__ import annotations

import asyncio
import time

import pytest

from suivi_ingest.deadlines import Deadlines


async def _after(seconds: float, value: str = "done") -> str:
    await asyncio.sleep(seconds)
    return value


async def test_in_time_gives_the_result() -> None:
    assert await Deadlines(0.5).within(_after(0.01)) == "done"


async def test_late_is_a_timeout_error_at_the_deadline() -> None:
    deadlines = Deadlines(0.05)
    loop = asyncio.get_running_loop()
    started = loop.time()
    with pytest.raises(TimeoutError):
        await deadlines.within(_after(5))
    assert 0.04 <= loop.time() - started < 1  # not before its deadline; the bound is the test's
    task = asyncio.current_task()
    assert task is not None and task.cancelling() == 0  # the cancellation was its own, undone


async def test_many_at_once_each_on_its_own_deadline() -> None:
    deadlines = Deadlines(0.1)

    async def one(seconds: float) -> str:
        try:
            return await deadlines.within(_after(seconds))
        except TimeoutError:
            return "late"

    quick = [asyncio.create_task(one(0.01)) for _ in range(50)]
    await asyncio.sleep(0.03)
    mixed = [asyncio.create_task(one(s)) for s in (0.01, 5, 0.02, 5)]
    assert await asyncio.gather(*quick) == ["done"] * 50
    assert await asyncio.gather(*mixed) == ["done", "late", "done", "late"]
    await asyncio.sleep(0.25)
    assert deadlines.pending == 0  # ended waits leave the queue


async def test_a_cancellation_from_elsewhere_stays_a_cancellation() -> None:
    deadlines = Deadlines(5)
    task = asyncio.create_task(deadlines.within(_after(5)))
    await asyncio.sleep(0.01)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task


async def test_errors_pass_through() -> None:
    async def fails() -> None:
        raise ValueError("refused")

    with pytest.raises(ValueError, match="refused"):
        await Deadlines(1).within(fails())


async def test_answered_when_the_deadline_passed_is_late_as_with_asyncio_timeout() -> None:
    deadlines = Deadlines(0.05)
    gate: asyncio.Future[str] = asyncio.get_running_loop().create_future()

    async def waiter() -> str:
        try:
            return await deadlines.within(gate)
        except TimeoutError:
            return "late"

    task = asyncio.create_task(waiter())
    await asyncio.sleep(0)
    time.sleep(0.06)  # noqa: ASYNC251 - the loop held past the deadline: answer and timer at once
    gate.set_result("done")
    deadlines._sweep()  # the timer first: the task's wake-up is already queued
    assert await task == "late"
    assert task.cancelling() == 0


async def test_an_await_that_swallows_the_cancellation_leaves_none_behind() -> None:
    deadlines = Deadlines(0.02)

    async def stubborn() -> str:
        try:
            await asyncio.sleep(5)
        except asyncio.CancelledError:
            return "kept going"
        return "slept"

    assert await deadlines.within(stubborn()) == "kept going"
    task = asyncio.current_task()
    assert task is not None and task.cancelling() == 0


def test_seconds_must_be_positive() -> None:
    with pytest.raises(ValueError, match="positive"):
        Deadlines(0)
