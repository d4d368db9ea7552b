"""Composition root: settings → pool, producer, merchant book (merchants.v1 and the
environment), channel adapters → intake (Kafka consumer), dispatcher, alert and after-sales
workers (worker loops), the HTTP API, and the service that starts them."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Protocol

import asyncpg
import httpx
from fastapi import FastAPI
from prometheus_client import CollectorRegistry

from suivi_infra.kafka import make_producer
from suivi_infra.lag import ConsumerLag
from suivi_infra.merchants import MerchantDirectory
from suivi_infra.metrics import service_registry
from suivi_infra.postgres import lazy_pool
from suivi_notifier.adapters.kafka_out import KafkaOut
from suivi_notifier.adapters.merchant_book import MerchantBook
from suivi_notifier.adapters.merchant_webhook import WebhookSender
from suivi_notifier.adapters.pg_subscriptions import SubscriptionStore
from suivi_notifier.adapters.render import Renderer
from suivi_notifier.adapters.sms import TwilioSms
from suivi_notifier.adapters.smtp import SmtpSender
from suivi_notifier.adapters.vapid import Vapid, load_private_key
from suivi_notifier.adapters.webpush import WebPushSender
from suivi_notifier.api import create_api
from suivi_notifier.consumer import build_app, build_broker
from suivi_notifier.domain.merchant_settings import MerchantTriggers
from suivi_notifier.domain.planning import QuietHours
from suivi_notifier.handlers.aftersales_worker import AftersalesWorker
from suivi_notifier.handlers.alert_worker import AlertWorker
from suivi_notifier.handlers.attempts import DispatchConfig, PlanConfig
from suivi_notifier.handlers.channels import Channels
from suivi_notifier.handlers.dispatcher import Dispatcher, ResultSink
from suivi_notifier.handlers.intake import DeadLetters, Intake
from suivi_notifier.handlers.legs import LegIntake
from suivi_notifier.handlers.merchant_sender import MerchantSender
from suivi_notifier.links import Links
from suivi_notifier.metrics import NotifierMetrics
from suivi_notifier.service import NotifierService
from suivi_notifier.settings import NotifierSettings

log = logging.getLogger(__name__)
Clock = Callable[[], datetime]


def _channels(
    settings: NotifierSettings,
    links: Links,
    book: MerchantBook,
    http: httpx.AsyncClient,
    clock: Clock,
) -> Channels:
    push = None
    if settings.push.vapid_private_key is not None:
        vapid = Vapid(
            load_private_key(settings.push.vapid_private_key.get_secret_value()),
            settings.push.vapid_subject,
        )
        push = WebPushSender(
            vapid,
            http,
            ttl_seconds=settings.push.ttl_seconds,
            timeout_seconds=settings.push.timeout_seconds,
            clock=clock,
        )
    sms = None
    if settings.sms.account_sid:
        sms = TwilioSms(settings.sms, http)
    email = SmtpSender(settings.smtp) if settings.smtp.host else None
    return Channels(Renderer(clock), links, book, email=email, sms=sms, push=push)


def dispatch_config(settings: NotifierSettings) -> DispatchConfig:
    return DispatchConfig(
        quiet=QuietHours(
            settings.sms.quiet_start, settings.sms.quiet_end, settings.sms.default_timezone
        ),
        max_age=timedelta(hours=settings.max_event_age_hours),
        batch=settings.claim_batch,
        concurrency=settings.send_concurrency,
        lease=timedelta(seconds=settings.lease_seconds),
        send_timeout=settings.lease_seconds / 2,
        retry_base_seconds=settings.retry_base_seconds,
        retry_max_seconds=settings.retry_max_seconds,
        retry_after_max_seconds=settings.retry_after_max_seconds,
        max_attempts=settings.max_attempts,
        poll_interval=settings.poll_interval_seconds,
    )


class KafkaSide(DeadLetters, ResultSink, Protocol):
    """Where results and dead letters go (Kafka; in memory in some tests)."""


@dataclass(frozen=True, slots=True)
class Core:
    """What decides and sends, without the Kafka consumer and the HTTP server."""

    metrics: NotifierMetrics
    links: Links
    channels: Channels
    intake: Intake
    dispatcher: Dispatcher
    alerts: AlertWorker
    aftersales: AftersalesWorker
    book: MerchantBook


def build_core(
    settings: NotifierSettings,
    pool: asyncpg.Pool,
    out: KafkaSide,
    *,
    registry: CollectorRegistry,
    http: httpx.AsyncClient,
    clock: Clock,
    directory: MerchantDirectory | None = None,
) -> Core:
    metrics = NotifierMetrics(registry)
    links = Links(
        settings.tokens.token_key, settings.status_page_base_url, settings.public_base_url,
        settings.aftersales_base_url,
    )  # fmt: skip
    book = MerchantBook(
        settings.merchant_names, settings.merchant_alerts, directory, settings.sealing_key
    )
    env = settings.trigger_policy()  # a console record's triggers win over the environment's
    policy = MerchantTriggers(env.default, env.per_merchant, book.settings)
    channels = _channels(settings, links, book, http, clock)
    config = dispatch_config(settings)
    dispatcher = Dispatcher(pool, channels, out, metrics, policy, config, clock=clock)
    intake = LegIntake(
        pool, out, metrics, links, policy,
        status_topic=settings.status_topic, orders_topic=settings.orders_topic,
        alerts_topic=settings.alerts_topic, returns_topic=settings.returns_topic or None,
        claims_topic=settings.claims_topic or None, book=book,
        debounce=timedelta(seconds=settings.debounce_seconds), owed=dispatcher.materializer,
        clock=clock, legs_topic=settings.legs_topic,
    )  # fmt: skip
    webhooks = WebhookSender(http, timeout_seconds=settings.merchant_webhook_timeout_seconds)
    sender = MerchantSender(
        pool, metrics, config, book, channels.renderer, webhooks, channels.email, clock=clock,
    )  # fmt: skip
    planning = PlanConfig(
        config.max_age, settings.alert_claim_batch, settings.poll_interval_seconds
    )
    alerts = AlertWorker(
        pool, metrics, policy, channels.capabilities, book, sender, planning, clock=clock
    )
    aftersales = AftersalesWorker(pool, metrics, channels.capabilities, planning, clock=clock)
    return Core(metrics, links, channels, intake, dispatcher, alerts, aftersales, book)


async def bootstrap(
    settings: NotifierSettings | None = None,
    *,
    pool: asyncpg.Pool | None = None,
    clock: Clock = lambda: datetime.now(UTC),
    consume: bool = True,
) -> NotifierService:
    """Builds the service inside the running loop (aiokafka and asyncpg bind to it)."""
    settings = settings or NotifierSettings()
    registry = service_registry()
    owns_pool = pool is None
    # Needs no server: connects once PostgreSQL answers (start() waits for it).
    pool = pool if pool is not None else await lazy_pool(settings.postgres)
    producer = make_producer(settings.kafka, client_id=f"{settings.kafka.client_id}-notifier")
    out = KafkaOut(producer, results_topic=settings.results_topic, dlq_topic=settings.dlq_topic)
    http = httpx.AsyncClient(follow_redirects=False)
    directory = MerchantDirectory() if settings.merchant_directory else None
    core = build_core(
        settings, pool, out, registry=registry, http=http, clock=clock, directory=directory
    )
    broker, consumer_of = build_broker(settings, core.intake)
    app = build_app(broker)
    return NotifierService(
        settings, registry, core.metrics, pool, producer, http, core.intake, core.dispatcher,
        core.alerts, broker, app, owns_pool=owns_pool, consume=consume,
        aftersales=core.aftersales, directory=directory,
        lag=ConsumerLag(registry), consumer_of=consumer_of,
    )  # fmt: skip


def build_api(service: NotifierService) -> FastAPI:
    """The HTTP API serving with the service's objects; its lifespan starts and stops it."""
    push = service.dispatcher.channels.push
    return create_api(
        service.settings, SubscriptionStore(service.pool),
        vapid=push.vapid if isinstance(push, WebPushSender) else None,
        registry=service.registry, kafka_ready=service.kafka_ready, lifespan=service.lifespan,
        clock=service.dispatcher.clock,
    )  # fmt: skip
