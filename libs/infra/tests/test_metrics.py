"""Declare: each metric on the service's registry, with its help, labels and buckets."""

from __future__ import annotations

import pytest
from prometheus_client import CollectorRegistry, generate_latest

from suivi_infra.metrics import Declare


def test_declared_metrics_are_on_the_registry_with_their_help_and_labels() -> None:
    registry = CollectorRegistry()
    declare = Declare(registry)
    declare.counter("suivi_t_events", "Events by kind.", ("kind",)).labels("a").inc(2)
    declare.gauge("suivi_t_waiting", "Waiting rows.").set(3)
    declare.histogram("suivi_t_seconds", "Send time.", ("channel",), buckets=(1, 5)).labels(
        "sms"
    ).observe(2)
    text = generate_latest(registry).decode()
    assert "# HELP suivi_t_events_total Events by kind." in text
    assert 'suivi_t_events_total{kind="a"} 2.0' in text
    assert "suivi_t_waiting 3.0" in text
    assert 'suivi_t_seconds_bucket{channel="sms",le="5.0"} 1.0' in text
    assert 'suivi_t_seconds_bucket{channel="sms",le="1.0"} 0.0' in text


def test_a_name_is_declared_once_per_registry() -> None:
    declare = Declare(CollectorRegistry())
    declare.counter("suivi_t_once", "Once.")
    with pytest.raises(ValueError, match="Duplicated"):
        declare.counter("suivi_t_once", "Twice.")
