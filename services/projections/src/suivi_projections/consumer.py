"""FastStream entrypoint: both topics in one batch subscriber (one batch, one PostgreSQL
transaction), offsets committed after it; a batch failing because of some events is split and
those dead-lettered, any other failure consumes it again (suivi_infra.streams)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from faststream import FastStream
from faststream.kafka import KafkaBroker

from suivi_infra.streams import batch_broker
from suivi_projections.settings import ProjectionsSettings
from suivi_projections.write.projector import Projector

log = logging.getLogger(__name__)


def build_broker(
    settings: ProjectionsSettings, projector: Projector
) -> tuple[KafkaBroker, Callable[[], Any]]:
    """The broker, and a getter of its aiokafka consumer (created when the broker starts)."""
    return batch_broker(
        settings.kafka, service="projections",
        topics=tuple(t for t in (settings.status_topic, settings.orders_topic,
                                 settings.legs_topic) if t), group_id=settings.group_id,
        max_records=settings.max_records, batch_timeout_ms=settings.batch_timeout_ms,
        shutdown_timeout_seconds=settings.shutdown_timeout_seconds,
        retry_backoff_seconds=settings.retry_backoff_seconds, process=projector.process, log=log,
        dead_letters=projector,
    )  # fmt: skip


def build_app(broker: KafkaBroker) -> FastStream:
    return FastStream(broker, logger=log)
