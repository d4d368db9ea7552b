"""Ingest's answer bound when Kafka is slow or gone: 3 s by default, set from the environment."""

from __future__ import annotations

import pytest

from suivi_ingest.settings import IngestSettings


def test_publish_bound_defaults_to_three_seconds_and_is_configurable(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("SUIVI_INGEST_PUBLISH_TIMEOUT_SECONDS", raising=False)
    assert IngestSettings().publish_timeout_seconds == 3.0
    monkeypatch.setenv("SUIVI_INGEST_PUBLISH_TIMEOUT_SECONDS", "1.5")
    assert IngestSettings().publish_timeout_seconds == 1.5
