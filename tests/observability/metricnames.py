"""Metric names: those a PromQL expression reads, those a /metrics page exports, and those the
services' code declares (prometheus_client constructors and suivi_infra.metrics.Declare)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

from prometheus_client.parser import text_string_to_metric_families

ROOT = Path(__file__).resolve().parents[2]
# Series Prometheus makes itself, not the services.
PROMETHEUS_MADE = frozenset({"up", "ALERTS", "ALERTS_FOR_STATE"})

_KEYWORDS = frozenset({"and", "or", "unless", "bool", "offset", "by", "without", "on", "ignoring"})
_STRING = re.compile(r'"(?:[^"\\]|\\.)*"' + r"|'(?:[^'\\]|\\.)*'")
_MATCHERS = re.compile(r"\{[^}]*\}")
_RANGES = re.compile(r"\[[^\]]*\]")
_GROUPING = re.compile(r"\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)")
_TOKEN = re.compile(r"(?<![\w.$])[A-Za-z_:][A-Za-z0-9_:]*")
_SUFFIXES = {
    "counter": ("_total", "_created"),
    "histogram": ("_bucket", "_sum", "_count", "_created"),
    "summary": ("_sum", "_count", "_created", ""),
    "gauge": ("",),
}
# prometheus_client's constructors, and suivi_infra.metrics.Declare's methods (`declare.counter(`).
_DECLARED = re.compile(
    r"(?:\b|\.)(Counter|Gauge|Histogram|Summary|counter|gauge|histogram|summary)"
    r"\(\s*\"(suivi_[a-z0-9_]+)\""
)


def expr_metric_names(expr: str) -> set[str]:
    """Metric names read by a PromQL expression (Grafana's $variables ignored)."""
    text = _STRING.sub('""', expr)
    text = _MATCHERS.sub("", text)
    text = _RANGES.sub("", text)
    text = _GROUPING.sub("", text)
    names: set[str] = set()
    for match in _TOKEN.finditer(text):
        token = match.group()
        after = text[match.end() :].lstrip()
        if token in _KEYWORDS or after.startswith("("):
            continue  # a keyword, or a function / aggregation call
        names.add(token)
    return names


def exported_names(exposition: str) -> set[str]:
    """Every sample name a /metrics page can carry: its samples, and for each declared family
    (a labelled counter shows `# TYPE` before its first increment) the names of its type."""
    names: set[str] = set()
    for family in text_string_to_metric_families(exposition):
        names.update(sample.name for sample in family.samples)
        names.update(family.name + suffix for suffix in _SUFFIXES.get(family.type, ("",)))
    return names


def declared_names(roots: Iterable[Path] = (ROOT / "services", ROOT / "libs")) -> set[str]:
    """Sample names of the metrics declared in the services' and libraries' code."""
    names: set[str] = set()
    for root in roots:
        for path in root.glob("*/src/**/*.py"):
            for kind, name in _DECLARED.findall(path.read_text(encoding="utf-8")):
                names.update(name + suffix for suffix in _SUFFIXES[kind.lower()])
    return names
