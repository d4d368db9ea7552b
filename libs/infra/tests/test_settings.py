"""KAFKA_BOOTSTRAP_SERVERS is parsed once, into the list every Kafka client is given."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from suivi_infra.settings import KafkaSettings


def test_a_comma_separated_list_becomes_a_list_of_addresses(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("KAFKA_BOOTSTRAP_SERVERS", " b1.example:9092, b2.example:9092 ,[::1]:9093,")
    settings = KafkaSettings()
    assert settings.bootstrap_servers == ["b1.example:9092", "b2.example:9092", "[::1]:9093"]
    assert settings.bootstrap_env == "b1.example:9092,b2.example:9092,[::1]:9093"


def test_one_address_and_the_default() -> None:
    assert KafkaSettings(bootstrap_servers=["k:1"]).bootstrap_servers == ["k:1"]
    assert KafkaSettings().bootstrap_servers == ["127.0.0.1:9092"]


@pytest.mark.parametrize("value", ["", " , ", "b1:9092,b2", "b1:port", "b1:0", ":9092", "b1:70000"])
def test_a_malformed_list_is_refused_at_start(monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    monkeypatch.setenv("KAFKA_BOOTSTRAP_SERVERS", value)
    with pytest.raises(ValidationError):
        KafkaSettings()
