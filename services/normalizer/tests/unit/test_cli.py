"""`suivi-normalize`: the console script, as a user runs it from the repository root."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from suivi_normalizer.cli import main
from suivi_schemas import ShipmentStatusEvent
from suivi_schemas.providers import SLUGS

FIXTURES = Path(__file__).parents[1] / "fixtures"
ROOT = Path(__file__).resolve().parents[4]


def _one_fixture(provider: str) -> Path:
    return next(p for p in sorted((FIXTURES / provider).glob("*.json")))


def test_console_script_prints_the_canonical_events_as_json_lines() -> None:
    fixture = FIXTURES / "suivi" / "history_out_of_order.json"
    script = Path(sys.executable).with_name("suivi-normalize")
    done = subprocess.run(  # noqa: S603 - our own console script
        [str(script), "--provider", "suivi", str(fixture)],
        capture_output=True, text=True, cwd=ROOT, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    events = [ShipmentStatusEvent.model_validate_json(line) for line in done.stdout.splitlines()]
    assert [e.substatus for e in events if e.substatus] == [
        "label_created",
        "picked_up",
        "arrived_at_facility",
    ]
    assert done.stderr == ""


@pytest.mark.parametrize("provider", sorted(SLUGS))
def test_every_provider_reads_stdin(
    provider: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    body = _one_fixture(provider).read_bytes()

    class Stdin:
        buffer = __import__("io").BytesIO(body)

    monkeypatch.setattr(sys, "stdin", Stdin)
    assert main(["--provider", provider, "-"]) == 0
    lines = capsys.readouterr().out.splitlines()
    for line in lines:
        assert json.loads(line)["provider"] == provider


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"{not json", "invalid suivi payload: body is not valid JSON"),
        (b'{"carrier": "ups"}', "invalid suivi payload: tracking_number: Field required"),
        (b"\xff\xfe", "body is not UTF-8"),
    ],
)
def test_invalid_input_is_one_line_on_stderr_and_a_failure(
    content: bytes, message: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    body = tmp_path / "body.json"
    body.write_bytes(content)
    assert main(["--provider", "suivi", str(body)]) == 1
    out = capsys.readouterr()
    assert out.out == ""
    assert message in out.err
    assert out.err.count("\n") == 1


def test_missing_file(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--provider", "suivi", "/nonexistent/body.json"]) == 1
    assert "cannot read /nonexistent/body.json" in capsys.readouterr().err
