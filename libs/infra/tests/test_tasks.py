"""suivi_infra.tasks.cancel: the task is cancelled and has ended when it returns."""

from __future__ import annotations

import asyncio

import pytest

from suivi_infra.tasks import cancel


async def test_a_running_task_is_cancelled_and_has_ended() -> None:
    cleaned: list[str] = []

    async def loop() -> None:
        try:
            await asyncio.sleep(3600)
        finally:
            await asyncio.sleep(0)  # its clean-up runs before `cancel` returns
            cleaned.append("done")

    task = asyncio.create_task(loop())
    await asyncio.sleep(0)
    await cancel(task)
    assert task.cancelled() and cleaned == ["done"]


async def test_no_task_is_nothing_to_do() -> None:
    await cancel(None)


async def test_an_error_the_task_ended_with_is_raised() -> None:
    async def fails() -> None:
        raise RuntimeError("boom")

    task = asyncio.create_task(fails())
    await asyncio.sleep(0)
    with pytest.raises(RuntimeError, match="boom"):
        await cancel(task)
