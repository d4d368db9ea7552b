"""FastStream entrypoint: one consumer group on `commerce.orders.v1` and `tracking.status.v1`, in
batches; offsets are committed only after the batch's effects are committed in PostgreSQL
(suivi_infra.streams). Consumed again after a failure, a batch changes nothing more."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from faststream import FastStream
from faststream.kafka import KafkaBroker

from suivi_infra.streams import batch_broker
from suivi_tracker.handlers.intake import Intake
from suivi_tracker.settings import TrackerSettings

log = logging.getLogger(__name__)


def build_broker(
    settings: TrackerSettings, intake: Intake
) -> tuple[KafkaBroker, Callable[[], Any]]:
    return batch_broker(
        settings.kafka, service="tracker",
        topics=tuple(t for t in (settings.orders_topic, settings.status_topic,
                                 settings.returns_topic, settings.legs_topic) if t),
        group_id=settings.group_id,
        max_records=settings.max_records, batch_timeout_ms=settings.batch_timeout_ms,
        shutdown_timeout_seconds=settings.shutdown_timeout_seconds,
        retry_backoff_seconds=settings.retry_backoff_seconds, process=intake.process, log=log,
        dead_letters=intake,
    )  # fmt: skip


def build_app(broker: KafkaBroker) -> FastStream:
    return FastStream(broker, logger=log)
