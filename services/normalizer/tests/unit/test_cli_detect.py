"""`suivi-normalize --detect`: the shared carrier detection (suivi_schemas.detection) on the CLI."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from suivi_normalizer.cli import main

ROOT = Path(__file__).resolve().parents[4]


def test_cli_detect_prints_json_lines(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--detect", "9261292700768711948021"]) == 0
    out = capsys.readouterr()
    lines = [json.loads(line) for line in out.out.splitlines()]
    assert [line["carrier"] for line in lines][:2] == ["usps", "fedex"]
    assert set(lines[0]) == {"carrier", "confidence", "reason"}
    assert out.err == ""


def test_cli_detect_nothing_matches(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--detect", "hello"]) == 1
    out = capsys.readouterr()
    assert out.out == ""
    assert "no known carrier" in out.err
    assert out.err.count("\n") == 1


@pytest.mark.parametrize(
    "argv",
    [
        ["--detect", "1Z999AA10123456784", "--provider", "suivi"],
        ["--detect", "1Z999AA10123456784", "body.json"],
        ["--provider", "suivi"],
        [],
    ],
)
def test_cli_detect_and_provider_are_exclusive(argv: list[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(argv)
    assert exc.value.code == 2


def test_console_script_detect() -> None:
    script = Path(sys.executable).with_name("suivi-normalize")
    done = subprocess.run(  # noqa: S603 - our own console script
        [str(script), "--detect", "1Z 999 AA1 0123 4567 84"],
        capture_output=True, text=True, cwd=ROOT, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout.splitlines()[0])["carrier"] == "ups"
