"""`bench/notifier_bench.py --smoke` runs to its figures (a bench that rots fails here, not in
`make bench`); the figures themselves are for `make bench`, never asserted."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[4]


def test_the_notifier_bench_runs_in_smoke_mode() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "bench.notifier_bench", "--smoke"],
        cwd=ROOT, capture_output=True, text=True, check=False, timeout=240,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    for line in ("(a) claim + mark sent", "(b) dispatcher cycles", "(c) due triggers", "ratio b/a"):
        assert line in done.stdout, done.stdout
    assert done.stdout.strip().splitlines()[-1].lstrip().startswith("ratio b/a")
