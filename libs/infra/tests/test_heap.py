"""suivi_infra.heap: the collector held off during batches, and settled after start."""

from __future__ import annotations

import gc

from suivi_infra.heap import YOUNG_THRESHOLD, held, settle


def test_the_collector_is_off_until_the_last_concurrent_batch_is_done() -> None:
    assert gc.isenabled()
    with held():
        assert not gc.isenabled()
        with held():  # a second batch, concurrent
            assert not gc.isenabled()
        assert not gc.isenabled()
    assert gc.isenabled()


def test_an_exception_turns_it_back_on() -> None:
    try:
        with held():
            raise RuntimeError("batch failed")
    except RuntimeError:
        pass
    assert gc.isenabled()


def test_a_collector_someone_else_turned_off_stays_off() -> None:
    gc.disable()
    try:
        with held():
            assert not gc.isenabled()
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_settle_freezes_what_start_built_and_raises_the_young_threshold() -> None:
    before = gc.get_threshold()
    built_at_start = [[n] for n in range(1000)]  # containers alive at start
    try:
        settle()
        assert gc.get_threshold() == (YOUNG_THRESHOLD, *before[1:])
        assert gc.get_freeze_count() >= len(built_at_start)
    finally:
        gc.unfreeze()
        gc.set_threshold(*before)
