"""How every Suivi process tunes CPython's cyclic garbage collector (issue 22).

Two measured costs, one module:
- After start, what start built (modules, apps, schemas, code tables, place data: ~90,000
  objects in ingest) is frozen out of the collector's sight, and young collections wait for
  YOUNG_THRESHOLD new container objects, not 700: a request's or a record's objects die by
  reference count, so with CPython's default a collection ran every few requests for nothing
  and each full one walked the whole heap (ingest: ~0.1 s every ~1,000 requests; the
  normalizer: a fifth of its pipeline's CPU).
- While a batch is applied the collector is held off (`held`): a projector batch allocates ~100
  container objects per event, nearly all freed by reference count when it ends; collecting
  during it cost ~10% of the projector's CPU. Cycles wait for the next collection, at most one
  batch later.
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator

# Young collections once this many new container objects are alive (CPython's default: 700).
YOUNG_THRESHOLD = 50_000

_holders = 0  # batches in progress that turned the collector off


def settle(young_threshold: int = YOUNG_THRESHOLD) -> None:
    """Once started: collect what start left, freeze the rest, and raise the young threshold."""
    gc.collect()
    gc.freeze()
    _, middle, old = gc.get_threshold()
    gc.set_threshold(young_threshold, middle, old)


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
