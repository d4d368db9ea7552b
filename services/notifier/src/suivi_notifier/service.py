"""The notifier process's lifecycle: one start (PostgreSQL, migrations, producer, consumer,
worker loops) and one graceful stop for them all."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import asyncpg
import httpx
from aiokafka import AIOKafkaProducer
from fastapi import FastAPI
from faststream import FastStream
from faststream.kafka import KafkaBroker
from prometheus_client import CollectorRegistry

from suivi_infra.lag import ConsumerLag
from suivi_infra.merchants import MerchantDirectory
from suivi_infra.postgres import wait_for_postgres
from suivi_infra.startup import retry
from suivi_infra.tasks import cancel
from suivi_notifier.db.migrate import migrate
from suivi_notifier.handlers.aftersales_worker import AftersalesWorker
from suivi_notifier.handlers.alert_worker import AlertWorker
from suivi_notifier.handlers.dispatcher import Dispatcher
from suivi_notifier.handlers.intake import Intake
from suivi_notifier.metrics import NotifierMetrics
from suivi_notifier.settings import NotifierSettings

log = logging.getLogger(__name__)


@dataclass
class NotifierService:
    settings: NotifierSettings
    registry: CollectorRegistry
    metrics: NotifierMetrics
    pool: asyncpg.Pool
    producer: AIOKafkaProducer
    http: httpx.AsyncClient
    intake: Intake
    dispatcher: Dispatcher
    alerts: AlertWorker
    broker: KafkaBroker
    app: FastStream
    owns_pool: bool = True
    consume: bool = True
    aftersales: AftersalesWorker | None = None
    directory: MerchantDirectory | None = None  # merchants.v1, followed from start to stop
    _stop: asyncio.Event = field(default_factory=asyncio.Event)
    lag: ConsumerLag | None = None
    consumer_of: Callable[[], Any] | None = None
    _lag_task: asyncio.Task[None] | None = None
    _worker: asyncio.Task[None] | None = None
    _alert_worker: asyncio.Task[None] | None = None
    _aftersales_worker: asyncio.Task[None] | None = None
    _starting: asyncio.Task[None] | None = None
    started: bool = False

    async def start(self) -> None:
        """Returns once started; PostgreSQL and Kafka are retried with back-off meanwhile."""
        await wait_for_postgres(self.pool, self.settings.postgres)
        if self.settings.migrate_on_start:
            await retry("PostgreSQL (migrations)", self._migrate)
        await retry("Kafka (producer)", self.producer.start)
        # The workers need PostgreSQL and the producer only: messages already due go out while
        # the consumer waits for the broker or for its partitions (a restart, a rebalance).
        self._stop.clear()
        self._worker = asyncio.create_task(self.dispatcher.run(self._stop), name="dispatcher")
        self._alert_worker = asyncio.create_task(self.alerts.run(self._stop), name="alerts")
        if self.aftersales is not None:
            self._aftersales_worker = asyncio.create_task(
                self.aftersales.run(self._stop), name="aftersales"
            )
        if self.directory is not None:
            await self._load_directory()
        if self.consume:
            await self.app.start()  # the broker's start retries likewise (suivi_infra.startup)
        if self.consume and self.lag is not None and self.consumer_of is not None:
            self._lag_task = asyncio.create_task(
                self.lag.watch(self.consumer_of, self.settings.group_id), name="consumer-lag"
            )
        self.started = True

    @asynccontextmanager
    async def lifespan(self, _: FastAPI) -> AsyncIterator[None]:
        """The HTTP server's lifespan: it serves while the service starts, and stops it last."""
        self.start_in_background()
        try:
            yield
        finally:
            await self.stop()

    def start_in_background(self) -> None:
        """Starts without holding up the HTTP server: /readyz answers 503 until started."""
        self._starting = asyncio.create_task(self.start(), name="start")
        self._starting.add_done_callback(_report_failed_start)

    async def _load_directory(self) -> None:
        """Follows merchants.v1 until stop, and waits (a bounded time) for what it holds: the
        consumer then queues webhooks to endpoints set in the console. Past the wait, the
        environment's settings and what is loaded meanwhile serve."""
        assert self.directory is not None
        self.directory.start(self.settings.kafka, self.settings.merchants_topic)
        try:
            await asyncio.wait_for(
                self.directory.loaded.wait(), self.settings.merchant_directory_wait_seconds
            )
        except TimeoutError:
            log.warning("merchants.v1 not loaded yet; starting with what is known")

    async def _migrate(self) -> None:
        async with self.pool.acquire() as conn:
            await migrate(conn)

    async def stop(self) -> None:
        if self._starting is not None and not self._starting.done():
            await cancel(self._starting)  # stopped while still waiting for a dependency
        self.started = False
        if self._lag_task is not None:
            self._lag_task.cancel()
            self._lag_task = None
        if self.consume:
            await self.app.stop()  # the batch in hand is finished (graceful_timeout)
        self._stop.set()
        for task in (self._worker, self._alert_worker, self._aftersales_worker):
            if task is not None:
                with contextlib.suppress(asyncio.CancelledError):
                    await task
        self._worker = self._alert_worker = self._aftersales_worker = None
        if self.directory is not None:
            await self.directory.stop()
        with contextlib.suppress(Exception):
            await self.dispatcher.publish_results()  # what the last sends recorded
        await self.producer.stop()
        await self.http.aclose()
        if self.owns_pool:
            await self.pool.close()

    async def kafka_ready(self) -> bool:
        return self.started and await self.broker.ping(timeout=2.0)


def _report_failed_start(task: asyncio.Task[None]) -> None:
    # Not a dependency away (those are retried): a fault such as a failing migration. The
    # service stays not-ready (/readyz 503) and says why, once.
    if not task.cancelled() and (exc := task.exception()) is not None:
        log.critical("the notifier cannot start: %s", type(exc).__name__, exc_info=exc)
