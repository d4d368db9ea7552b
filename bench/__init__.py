"""Benchmarks (not tests): `python -m bench` runs them all; BENCH_QUICK=1 makes each one short."""

from __future__ import annotations

import os


def quick() -> bool:
    """Smoke mode (BENCH_QUICK=1, as `make bench-smoke` sets): small counts, one round."""
    return os.environ.get("BENCH_QUICK", "") not in ("", "0")
