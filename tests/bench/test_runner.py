"""`python -m bench` fails a benchmark that errors, hangs or ends without its ratio line."""

from __future__ import annotations

import sys

import pytest
from bench.__main__ import last_ratio, run_one


@pytest.mark.parametrize(
    ("stdout", "ratio"),
    [
        ("x\n  ratio ingest/bare              0.76\n", "0.76"),
        ("ratio b/a (events/s per pass-through record/s, best of 3): 1.42\n\n", "1.42"),
        ("  ratio b/a                             0.026", "0.026"),
        ("  ratio b/a  0.5\n  (c) rounds 12 polls/s\n", None),  # not the last line
        ("ratio b/a: n/a\n", None),
        ("", None),
    ],
)
def test_only_a_last_line_giving_a_ratio_counts(stdout: str, ratio: str | None) -> None:
    assert last_ratio(stdout) == ratio


def python(code: str) -> list[str]:
    return [sys.executable, "-c", code]


def test_a_benchmark_ending_with_its_ratio_passes() -> None:
    outcome = run_one("ok", python("print('figures'); print('ratio b/a 0.9')"), 30, {})
    assert (outcome.failure, outcome.ratio) == (None, "0.9")


@pytest.mark.parametrize(
    ("code", "failure"),
    [
        ("import sys; print('ratio b/a 0.9'); sys.exit(3)", "exit status 3"),
        ("raise RuntimeError('rotted')", "exit status 1"),
        ("print('ratio b/a 0.9'); print('one more line')", "its last line is not a ratio line"),
        ("import time; print('ratio b/a 0.9'); time.sleep(60)", "no end after 1 s"),
    ],
)
def test_a_benchmark_that_errs_hangs_or_has_no_ratio_line_fails(code: str, failure: str) -> None:
    assert run_one("bad", python(code), 1, {}).failure == failure


def test_a_benchmark_saying_why_it_cannot_run_is_skipped_and_only_with_exit_status_0() -> None:
    code = "print('vegeta not found'); print('skipped: no vegeta')"
    skipped = run_one("e2e", python(code), 30, {})
    assert (skipped.failure, skipped.skipped, skipped.ratio) == (None, "no vegeta", None)
    failed = run_one("e2e", python("import sys; print('skipped: no vegeta'); sys.exit(1)"), 30, {})
    assert failed.failure == "exit status 1"
