"""Runs the benchmarks, each in its own process with a time limit, and checks their ratio lines.

`python -m bench` (make bench) runs them at full size; `--quick` (make bench-smoke, CI) sets
BENCH_QUICK=1 so each is short. Speed is never judged here (the machine is shared): a
benchmark fails when it exits non-zero, outlives its limit, or its last line is not
`ratio <what>: <number>` against a baseline measured in the same run.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# Each benchmark's module, and its time limit in seconds (quick, full).
BENCHES: dict[str, tuple[int, int]] = {
    "normalizer_bench": (60, 1200),
    "ingest_bench": (60, 600),
    "projections_bench": (60, 1200),
    "tracker_bench": (60, 1200),
    "notifier_bench": (60, 600),
    # The real ingest, normalizer and projector under vegeta (quick: 200 webhooks/s for 5 s).
    "e2e_latency": (90, 1200),
}
RATIO_LINE = re.compile(r"^\s*ratio\b[^\n]*[\s:](\d+(?:\.\d+)?)\s*$")
# The one outcome that is neither a ratio nor a failure: a benchmark whose tool cannot be had
# here (e2e_latency without vegeta nor Go to build it) says so as its last line and exits 0.
SKIPPED_LINE = re.compile(r"^\s*skipped: (.+)$")


@dataclass(frozen=True, slots=True)
class Outcome:
    name: str
    seconds: float
    failure: str | None  # None: it ran to its ratio line (or said why it could not run)
    ratio: str | None = None
    skipped: str | None = None


def last_ratio(stdout: str) -> str | None:
    """The ratio the last non-empty line gives, or None when it is not a ratio line."""
    lines = [line for line in stdout.splitlines() if line.strip()]
    if not lines:
        return None
    found = RATIO_LINE.match(lines[-1])
    return found.group(1) if found else None


def run_one(name: str, command: list[str], timeout: float, env: dict[str, str]) -> Outcome:
    started = time.monotonic()
    # Its own session, so that a hung benchmark's children (servers, wrk) go with it.
    with subprocess.Popen(  # noqa: S603
        command, cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True, start_new_session=True
    ) as process:
        try:
            stdout, _ = process.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, 9)
            stdout, _ = process.communicate()
            sys.stdout.write(stdout)
            return Outcome(name, time.monotonic() - started, f"no end after {timeout:.0f} s")
    sys.stdout.write(stdout)
    seconds = time.monotonic() - started
    if process.returncode != 0:
        return Outcome(name, seconds, f"exit status {process.returncode}")
    ratio = last_ratio(stdout)
    if ratio is None:
        lines = [line for line in stdout.splitlines() if line.strip()]
        if lines and (skipped := SKIPPED_LINE.match(lines[-1])):
            return Outcome(name, seconds, None, skipped=skipped.group(1))
        return Outcome(name, seconds, "its last line is not a ratio line")
    return Outcome(name, seconds, None, ratio)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="BENCH_QUICK=1: small counts")
    parser.add_argument("names", nargs="*", help=f"default: all of {', '.join(BENCHES)}")
    args = parser.parse_args(argv)
    if unknown := set(args.names) - set(BENCHES):
        parser.error(f"no benchmark named {', '.join(sorted(unknown))}")
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    if args.quick:
        env["BENCH_QUICK"] = "1"
    outcomes = []
    for name in args.names or list(BENCHES):
        quick_limit, full_limit = BENCHES[name]
        print(f"== bench.{name}", flush=True)
        command = [sys.executable, "-m", f"bench.{name}"]
        outcomes.append(run_one(name, command, quick_limit if args.quick else full_limit, env))
    print("== summary")
    for o in outcomes:
        verdict = (
            f"FAILED: {o.failure}"
            if o.failure
            else f"SKIPPED: {o.skipped}"
            if o.skipped
            else f"ratio {o.ratio}"
        )
        print(f"  {o.name:20} {o.seconds:6.0f} s  {verdict}")
    return 1 if any(o.failure for o in outcomes) else 0


if __name__ == "__main__":
    sys.exit(main())
