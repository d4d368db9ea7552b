"""The cyclic garbage collector held off while a batch is applied.

A batch allocates ~100 container objects per event (rows, checkpoints, generations, the
driver's records), nearly all freed by reference counting when it ends; with the collector on,
the young ones are traversed every 700 allocations and those alive across a batch's round
trips promoted, until full collections walk the whole heap: ~10% of the projector's CPU. Held
off, the batch's garbage goes by reference counting alone; cycles wait for the next collection,
at most one batch later. Concurrent batches share the hold; a collector disabled by someone
else stays disabled.
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator

_holders = 0  # batches in progress that turned the collector off


@contextlib.contextmanager
def held() -> Iterator[None]:
    """The collector off until the last concurrent holder is done (unless already off)."""
    global _holders
    if _holders == 0 and not gc.isenabled():
        yield  # off by someone else's choice: theirs to turn back on
        return
    _holders += 1
    gc.disable()
    try:
        yield
    finally:
        _holders -= 1
        if _holders == 0:
            gc.enable()
