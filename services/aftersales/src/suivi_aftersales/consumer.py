"""FastStream entrypoint: one consumer group on `commerce.orders.v1`, `tracking.status.v1` and
`tracking.alerts.v1`, in batches; offsets are committed only after the batch's effects are
committed in PostgreSQL (suivi_infra.streams). Consumed again, a batch changes nothing more."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from faststream import FastStream
from faststream.kafka import KafkaBroker

from suivi_aftersales.handlers.intake import Intake
from suivi_aftersales.settings import AftersalesSettings
from suivi_infra.streams import consumer_broker

log = logging.getLogger(__name__)


def build_broker(
    settings: AftersalesSettings, intake: Intake
) -> tuple[KafkaBroker, Callable[[], Any]]:
    topics = (settings.orders_topic, settings.status_topic, settings.alerts_topic)
    return consumer_broker(settings, "aftersales", topics, intake, log)


def build_app(broker: KafkaBroker) -> FastStream:
    return FastStream(broker, logger=log)
