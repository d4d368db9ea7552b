"""Test support: schemathesis over a running app's OpenAPI document, counting what it finds."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import requests
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup
from schemathesis.core.result import Ok
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

# Only what the issue asks of every answer: no 5xx, and status, media type and body as documented.
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


@dataclass
class FuzzReport:
    """Requests sent and answers by status class; each failure once, by operation and check."""

    operations: int = 0
    requests: int = 0
    statuses: Counter[str] = field(default_factory=Counter)
    server_errors: int = 0
    failures: dict[str, str] = field(default_factory=dict)

    def unexpected(self, known: frozenset[str] = frozenset()) -> dict[str, str]:
        """The failures not in `known` (keys as `failures` has them)."""
        return {k: v for k, v in self.failures.items() if k not in known}

    def line(self, name: str) -> str:
        classes = " ".join(f"{k}:{v}" for k, v in sorted(self.statuses.items()))
        return (
            f"{name}: {self.operations} operations, {self.requests} requests ({classes}), "
            f"{self.server_errors} 5xx, {len(self.failures)} failing checks"
        )


def fuzz(
    base_url: str, *, headers: dict[str, str] | None = None, max_examples: int = 20
) -> FuzzReport:
    """Every operation of `base_url`/openapi.json, with valid then invalid data (bounded per
    operation and mode, fixed seed), each answer checked against the document."""
    schema = schemathesis.openapi.from_url(f"{base_url}/openapi.json")
    report = FuzzReport()
    session = requests.Session()
    for result in schema.get_all_operations():
        if not isinstance(result, Ok):  # a document schemathesis cannot read is a failure
            report.failures[f"invalid operation {len(report.failures)}"] = repr(result.err())
            continue
        operation = result.ok()
        report.operations += 1
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            _run(operation, mode, base_url, session, headers or {}, max_examples, report)
    return report


def _run(
    operation: object,
    mode: GenerationMode,
    base_url: str,
    session: requests.Session,
    headers: dict[str, str],
    max_examples: int,
    report: FuzzReport,
) -> None:
    @given(case=operation.as_strategy(generation_mode=mode))  # type: ignore[attr-defined]
    @settings(
        max_examples=max_examples,
        deadline=None,
        database=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
        phases=[Phase.generate],  # no shrinking: every failure is counted, none retried
    )
    def check(case: Any) -> None:  # a schemathesis.Case
        response = case.call(base_url=base_url, session=session, headers=headers, timeout=30)
        report.requests += 1
        report.statuses[f"{response.status_code // 100}xx"] += 1
        report.server_errors += response.status_code >= 500
        try:
            case.validate_response(response, checks=CHECKS, headers=headers)
        except FailureGroup as group:
            for failure in group.exceptions:
                key = f"{case.method} {case.path}: {failure.title}"
                report.failures.setdefault(key, f"{response.status_code}: {failure.message}"[:600])

    try:
        check()
    except Unsatisfiable:  # no invalid request exists (an operation without parameters)
        pass
    except Exception as exc:  # a strategy that cannot generate is a finding too, not a crash
        report.failures.setdefault(f"{operation} [{mode.value}]", repr(exc)[:600])
