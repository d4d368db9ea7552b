"""KAFKA_BOOTSTRAP_SERVERS is parsed once, into the list every Kafka client is given; service
settings read the environment only."""

from __future__ import annotations

import pathlib

import pytest
from pydantic import ValidationError
from pydantic_settings import SettingsConfigDict

from suivi_infra.settings import EnvOnlySettings, KafkaSettings


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


class _Secrets(EnvOnlySettings):
    model_config = SettingsConfigDict(env_prefix="SUIVI_TEST_", env_file=".env", extra="ignore")

    token: str = "unset"


def test_env_only_settings_never_read_a_dotenv_file(
    monkeypatch: pytest.MonkeyPatch, tmp_path: pathlib.Path
) -> None:
    (tmp_path / ".env").write_text("SUIVI_TEST_TOKEN=from-a-file\n")
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("SUIVI_TEST_TOKEN", raising=False)
    assert _Secrets().token == "unset"
    monkeypatch.setenv("SUIVI_TEST_TOKEN", "from-the-environment")
    assert _Secrets().token == "from-the-environment"
