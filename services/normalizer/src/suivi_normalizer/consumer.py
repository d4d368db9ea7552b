"""FastStream entrypoint: consumes the raw topic in batches, commits only after the effects
(unreadable records are dead-lettered by the pipeline; a batch failing because of some records,
e.g. an event too large to publish, is split and those dead-lettered by suivi_infra.streams)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from faststream import FastStream
from faststream.kafka import KafkaBroker

from suivi_infra.streams import batch_broker
from suivi_normalizer.handlers.pipeline import Normalizer
from suivi_normalizer.settings import NormalizerSettings

log = logging.getLogger(__name__)


def build_broker(
    settings: NormalizerSettings, normalizer: Normalizer
) -> tuple[KafkaBroker, Callable[[], Any]]:
    """The broker, and a getter of its aiokafka consumer (created when the broker starts)."""
    return batch_broker(
        settings.kafka, service="normalizer", topics=(settings.raw_topic,),
        group_id=settings.group_id, max_records=settings.max_records,
        batch_timeout_ms=settings.batch_timeout_ms,
        shutdown_timeout_seconds=settings.shutdown_timeout_seconds,
        retry_backoff_seconds=settings.retry_backoff_seconds, process=normalizer.process, log=log,
        dead_letters=normalizer,
    )  # fmt: skip


def build_app(broker: KafkaBroker) -> FastStream:
    return FastStream(broker, logger=log)
