"""deploy/grafana: the dashboard covers what operators watch, and every query reads metrics the
services declare (test_stack.py checks them against a live scrape as well)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.observability import miniyaml
from tests.observability.metricnames import PROMETHEUS_MADE, declared_names, expr_metric_names

ROOT = Path(__file__).resolve().parents[2]
GRAFANA = ROOT / "deploy" / "grafana"
DASHBOARD = GRAFANA / "dashboards" / "suivi.json"


def dashboard() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(DASHBOARD.read_text(encoding="utf-8"))
    return loaded


def panels() -> list[dict[str, Any]]:
    return [p for p in dashboard()["panels"] if p["type"] != "row"]


def expressions() -> list[str]:
    return [t["expr"] for p in panels() for t in p.get("targets", [])]


def dashboard_metric_names() -> set[str]:
    return {name for expr in expressions() for name in expr_metric_names(expr)}


def test_dashboard_is_well_formed() -> None:
    board = dashboard()
    ids = [p["id"] for p in board["panels"]]
    assert len(ids) == len(set(ids))
    assert board["uid"] == "suivi-overview"
    assert [v["name"] for v in board["templating"]["list"]] == ["datasource"]
    for panel in panels():
        assert panel["targets"], panel["title"]
        assert panel["datasource"]["uid"] == "${datasource}", panel["title"]
        refs = [t["refId"] for t in panel["targets"]]
        assert len(refs) == len(set(refs)), panel["title"]


def test_dashboard_shows_what_operators_watch() -> None:
    names = dashboard_metric_names()
    for wanted in (
        "suivi_ingest_requests_total",  # throughput per provider
        "suivi_normalizer_publish_lag_seconds_bucket",  # normalization latency
        "suivi_kafka_consumer_lag",  # lag
        "suivi_normalizer_dead_letters_total",  # DLQ
        "suivi_projections_dead_letters_total",
        "suivi_notifier_messages_total",  # notifications
        "suivi_projections_freshness_seconds",  # freshness
    ):
        assert wanted in names, wanted


def test_every_query_reads_declared_metrics() -> None:
    unknown = dashboard_metric_names() - declared_names() - PROMETHEUS_MADE
    assert not unknown


def test_provisioning_points_at_the_dashboards_and_prometheus() -> None:
    source = miniyaml.loads(
        (GRAFANA / "provisioning" / "datasources" / "prometheus.yml").read_text()
    )
    [datasource] = source["datasources"]
    assert datasource["url"] == "http://prometheus:9090"
    boards = miniyaml.loads((GRAFANA / "provisioning" / "dashboards" / "suivi.yml").read_text())
    assert boards["providers"][0]["options"]["path"] == "/var/lib/grafana/dashboards"
