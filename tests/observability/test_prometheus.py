"""deploy/prometheus: the configs and rules pass promtool, every alert has its unit tests (firing
on a synthetic series, quiet on a healthy one) and its runbook, and reads declared metrics."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from tests.observability import miniyaml
from tests.observability.metricnames import (
    PROMETHEUS_MADE,
    declared_names,
    expr_metric_names,
)

ROOT = Path(__file__).resolve().parents[2]
PROMETHEUS = ROOT / "deploy" / "prometheus"
RULES = PROMETHEUS / "rules" / "suivi-alerts.yml"
RULE_TESTS = sorted((PROMETHEUS / "tests").glob("*.yml"))
JOBS = {
    "suivi-ingest": 8088,
    "suivi-normalizer": 8083,
    "suivi-projector": 8084,
    "suivi-projections-api": 8089,
    "suivi-notifier": 8082,
    "suivi-tracker": 8087,
    "suivi-aftersales": 8095,
    "suivi-console": 8092,
}


def promtool(*args: str) -> subprocess.CompletedProcess[str]:
    tool = shutil.which("promtool")
    if tool is None:
        pytest.fail("promtool is missing: run `make bootstrap` (Debian's prometheus package)")
    return subprocess.run(  # noqa: S603 - promtool on the repository's files
        [tool, *args], capture_output=True, text=True, check=False, timeout=60, cwd=PROMETHEUS
    )


def alert_rules() -> list[dict[str, Any]]:
    groups = miniyaml.loads(RULES.read_text(encoding="utf-8"))["groups"]
    return [rule for group in groups for rule in group["rules"] if "alert" in rule]


@pytest.mark.parametrize("config", ["prometheus.yml", "prometheus.compose.yml"])
def test_configs_pass_promtool(config: str) -> None:
    result = promtool("check", "config", config)
    assert result.returncode == 0, result.stdout + result.stderr


def test_rules_pass_promtool() -> None:
    result = promtool("check", "rules", str(RULES))
    assert result.returncode == 0, result.stdout + result.stderr


def test_rule_unit_tests_pass() -> None:
    assert RULE_TESTS
    result = promtool("test", "rules", *map(str, RULE_TESTS))
    assert result.returncode == 0, result.stdout + result.stderr


def test_every_service_is_scraped_on_its_port() -> None:
    for config, host_of in (
        ("prometheus.yml", lambda job: "127.0.0.1"),
        ("prometheus.compose.yml", lambda job: job.removeprefix("suivi-")),
    ):
        scrape = miniyaml.loads((PROMETHEUS / config).read_text())["scrape_configs"]
        targets = {
            job["job_name"]: [t for sc in job["static_configs"] for t in sc["targets"]]
            for job in scrape
        }
        for job, port in JOBS.items():
            assert targets.get(job) == [f"{host_of(job)}:{port}"], (config, job, targets)


def test_every_alert_has_runbook_text_and_a_severity() -> None:
    for rule in alert_rules():
        annotations = rule.get("annotations", {})
        for field in ("summary", "description", "runbook"):
            assert len(annotations.get(field, "")) > 20, (rule["alert"], field)
        assert rule["labels"]["severity"] in ("warning", "critical"), rule["alert"]


def test_every_alert_fires_in_a_unit_test_and_stays_quiet_on_healthy_series() -> None:
    firing: set[str] = set()
    quiet_in_healthy_group: set[str] = set()
    for path in RULE_TESTS:
        for group in miniyaml.loads(path.read_text(encoding="utf-8"))["tests"]:
            cases = group["alert_rule_test"]
            fired_here = {c["alertname"] for c in cases if c["exp_alerts"]}
            firing |= fired_here
            quiet_in_healthy_group |= {
                c["alertname"]
                for c in cases
                if not c["exp_alerts"] and c["alertname"] not in fired_here
            }
    names = {rule["alert"] for rule in alert_rules()}
    assert names - firing == set(), "alerts never shown firing"
    assert names - quiet_in_healthy_group == set(), "alerts never shown quiet on healthy series"


def test_alerts_read_metrics_the_services_declare() -> None:
    declared = declared_names() | PROMETHEUS_MADE
    for rule in alert_rules():
        unknown = expr_metric_names(rule["expr"]) - declared
        assert not unknown, (rule["alert"], unknown)
