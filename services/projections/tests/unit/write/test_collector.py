"""write.collector.held: the cyclic collector off while batches run, as it was after."""

from __future__ import annotations

import gc

from suivi_projections.write.collector import held


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
