"""FastStream entrypoint: both topics in one batch subscriber (one batch, one PostgreSQL
transaction), offsets committed after it; a batch failing because of some events is split and
those dead-lettered, any other failure consumes it again (suivi_infra.streams)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from faststream import FastStream
from faststream.kafka import KafkaBroker

from suivi_infra.streams import consumer_broker
from suivi_projections.settings import ProjectionsSettings
from suivi_projections.write.aftersales import WithAftersales
from suivi_projections.write.projector import Projector

log = logging.getLogger(__name__)


def build_broker(
    settings: ProjectionsSettings, projector: Projector
) -> tuple[KafkaBroker, Callable[[], Any]]:
    """The broker, and a getter of its aiokafka consumer (created when the broker starts)."""
    topics = (settings.status_topic, settings.orders_topic, settings.legs_topic,
              settings.returns_topic, settings.claims_topic)  # fmt: skip
    handler = WithAftersales(projector, returns_topic=settings.returns_topic,
                             claims_topic=settings.claims_topic)  # fmt: skip
    return consumer_broker(settings, "projections", topics, handler, log)


def build_app(broker: KafkaBroker) -> FastStream:
    return FastStream(broker, logger=log)
