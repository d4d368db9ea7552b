"""FastStream entrypoint: consumes orders, status events, alerts, returns and claims in batches;
the offsets are committed only after the batch's decisions are committed in PostgreSQL (and its
dead letters acknowledged). A failure caused by some records dead-letters them and processes the
rest (suivi_infra.poison); any other failure NACKs the batch: it is consumed again, and its
effects are idempotent (newest snapshot wins, events not newer than a shipment's latest change
nothing, an alert, a return or claim event is kept once by its event id)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from faststream import FastStream
from faststream.kafka import KafkaBroker

from suivi_infra.streams import consumer_broker
from suivi_notifier.handlers.intake import Intake
from suivi_notifier.settings import NotifierSettings

log = logging.getLogger(__name__)


def build_broker(
    settings: NotifierSettings, intake: Intake
) -> tuple[KafkaBroker, Callable[[], Any]]:
    """The broker, and a getter of its aiokafka consumer (created when the broker starts)."""
    topics = (
        settings.orders_topic,
        settings.status_topic,
        settings.alerts_topic,
        settings.returns_topic,
        settings.claims_topic,
        settings.legs_topic,
    )
    return consumer_broker(settings, "notifier", topics, intake, log)


def build_app(broker: KafkaBroker) -> FastStream:
    return FastStream(broker, logger=log)
