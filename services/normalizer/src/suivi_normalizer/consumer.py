"""FastStream entrypoint: consumes the raw topic in batches, commits only after the effects
(unreadable records are dead-lettered by the pipeline; a batch failing because of some records,
e.g. an event too large to publish, is split and those dead-lettered by suivi_infra.streams)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from faststream import FastStream
from faststream.kafka import KafkaBroker

from suivi_infra import heap
from suivi_infra.streams import consumer_broker
from suivi_normalizer.handlers.pipeline import Normalizer
from suivi_normalizer.settings import NormalizerSettings

log = logging.getLogger(__name__)


def build_broker(
    settings: NormalizerSettings, normalizer: Normalizer
) -> tuple[KafkaBroker, Callable[[], Any]]:
    """The broker, and a getter of its aiokafka consumer (created when the broker starts)."""
    topics = (settings.raw_topic,)
    return consumer_broker(settings, "normalizer", topics, normalizer, log)


def build_app(broker: KafkaBroker) -> FastStream:
    app = FastStream(broker, logger=log)
    app.after_startup(heap.settle)  # see suivi_infra.heap
    return app
