"""Settings from the environment: prefixes, defaults, rotated secrets kept secret."""

from __future__ import annotations

import pytest

from suivi_ingest.settings import IngestSettings


def test_defaults() -> None:
    settings = IngestSettings()
    assert (settings.host, settings.port) == ("127.0.0.1", 8080)
    assert settings.max_body_bytes == 1024 * 1024
    assert settings.raw_topic == "tracking.raw.v1"
    assert settings.signature_tolerance_seconds == 300


def test_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SUIVI_INGEST_PORT", "9999")
    monkeypatch.setenv("SUIVI_INGEST_EASYPOST_SECRET", " s3cret-new , s3cret-old ,, ")
    monkeypatch.setenv("SUIVI_INGEST_SHIPPO_TOKEN", "t0ken-x")
    monkeypatch.setenv("KAFKA_BOOTSTRAP_SERVERS", "broker1:9092,broker2:9092")
    settings = IngestSettings()
    assert settings.port == 9999
    assert settings.values_of("easypost_secret") == ("s3cret-new", "s3cret-old")
    assert settings.values_of("shippo_token") == ("t0ken-x",)
    assert settings.values_of("aftership_secret") == ()
    assert settings.kafka.bootstrap_servers == ["broker1:9092", "broker2:9092"]
    assert "s3cret" not in repr(settings) and "t0ken-x" not in str(settings)


def test_only_secret_fields_are_read_as_secrets() -> None:
    with pytest.raises(TypeError):
        IngestSettings().values_of("host")
