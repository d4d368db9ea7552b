"""The consumers' fetch settings (KafkaSettings, KAFKA_FETCH_*) reach the batch subscriber's
aiokafka consumer."""

from __future__ import annotations

import logging
from typing import Any

import pytest

from suivi_infra.settings import KafkaSettings
from suivi_infra.streams import batch_broker


async def _process(records: Any) -> None:
    del records


def _consumer_args(kafka: KafkaSettings) -> dict[str, Any]:
    broker, _ = batch_broker(
        kafka, service="test", topics=["t"], group_id="g", max_records=10,
        batch_timeout_ms=5, shutdown_timeout_seconds=1.0, retry_backoff_seconds=0.1,
        process=_process, log=logging.getLogger("test"),
    )  # fmt: skip
    # What FastStream passes to AIOKafkaConsumer when the subscriber starts.
    args: dict[str, Any] = broker.subscribers[0]._connection_args  # type: ignore[attr-defined]
    return args


def test_the_service_s_fetch_settings_reach_the_consumer() -> None:
    args = _consumer_args(
        KafkaSettings(fetch_min_bytes=4096, fetch_max_wait_ms=7, max_partition_fetch_bytes=65536)
    )
    assert (args["fetch_min_bytes"], args["fetch_max_wait_ms"]) == (4096, 7)
    assert args["max_partition_fetch_bytes"] == 65536
    # The delivery guarantees stay as they were.
    assert args["isolation_level"] == "read_committed"
    assert args["enable_auto_commit"] is False


def test_the_environment_sets_them_for_every_consuming_service(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("KAFKA_FETCH_MIN_BYTES", "1")
    monkeypatch.setenv("KAFKA_FETCH_MAX_WAIT_MS", "3")
    args = _consumer_args(KafkaSettings())
    assert (args["fetch_min_bytes"], args["fetch_max_wait_ms"]) == (1, 3)


def test_a_negative_wait_is_refused() -> None:
    with pytest.raises(ValueError, match="fetch_max_wait_ms"):
        KafkaSettings(fetch_max_wait_ms=-1)
