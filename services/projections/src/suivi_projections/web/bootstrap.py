"""Composition root of the query side: settings → pool → read model, LISTEN → hub → app."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import asyncpg
from fastapi import FastAPI

from suivi_infra.metrics import metrics_server, service_registry
from suivi_infra.postgres import lazy_pool
from suivi_projections.domain.orders import OrderStatus
from suivi_projections.query.analytics import PostgresAnalytics
from suivi_projections.query.live import LiveHub, PostgresOrderListener
from suivi_projections.query.readmodel import PostgresReadModel
from suivi_projections.query.views import OrderPage, OrderView, ShipmentView
from suivi_projections.web.app import create_api
from suivi_projections.web.ratelimit_pg import PostgresCounters
from suivi_projections.web.settings import ApiSettings


class _StartedReadModel:
    """`ReadModel` whose PostgreSQL pool is created when the app starts (asyncpg pools belong
    to the running event loop); every call before that is a programming error."""

    def __init__(self) -> None:
        self.target: PostgresReadModel | None = None

    def _model(self) -> PostgresReadModel:
        if self.target is None:
            raise RuntimeError("the read model is used before the app started")
        return self.target

    async def order_by_status_token(self, token: str) -> OrderView | None:
        return await self._model().order_by_status_token(token)

    async def order_by_share_token(self, token: str) -> OrderView | None:
        return await self._model().order_by_share_token(token)

    async def order_for_lookup(self, merchant_id: str, order_number: str) -> tuple[str, str] | None:
        return await self._model().order_for_lookup(merchant_id, order_number)

    async def order_by_number(self, merchant_id: str, order_number: str) -> OrderView | None:
        return await self._model().order_by_number(merchant_id, order_number)

    async def orders(
        self, merchant_id: str, status: OrderStatus | None, cursor: str | None, limit: int
    ) -> OrderPage:
        return await self._model().orders(merchant_id, status, cursor, limit)

    async def shipment(self, carrier: str, tracking_number: str) -> ShipmentView | None:
        return await self._model().shipment(carrier, tracking_number)

    def __getattr__(self, name: str) -> Any:
        # Optional capabilities of the target show through, e.g. `shipment_for_merchant`
        # (see api_merchant.MerchantShipments) once PostgresReadModel has it.
        if name.startswith("_") or self.target is None:
            raise AttributeError(name)
        return getattr(self.target, name)


def build_api(settings: ApiSettings | None = None) -> tuple[FastAPI, LiveHub]:
    """The service as it runs; the hub is returned so that shutdown can end the streams."""
    settings = settings if settings is not None else ApiSettings()
    hub = LiveHub(settings.sse_max_subscribers)
    listener = PostgresOrderListener(
        settings.postgres.database_url,
        hub,
        probe_seconds=settings.listener_probe_seconds,
        retry_seconds=settings.listener_retry_seconds,
    )
    read_model = _StartedReadModel()
    analytics = PostgresAnalytics()  # its pool is set once the app started, as the read model's
    counters = PostgresCounters()  # the lookup limits, shared by every API process: same
    pool: asyncpg.Pool | None = None

    async def ready() -> bool:
        if pool is None:
            return False
        try:
            async with asyncio.timeout(settings.readiness_probe_seconds):
                return bool(await pool.fetchval("SELECT 1") == 1)
        except (TimeoutError, OSError, asyncpg.PostgresError, asyncpg.InterfaceError):
            return False

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        nonlocal pool
        # Needs no server: while PostgreSQL is away the API serves, /readyz answers 503, and
        # the connections open once it answers (the listener retries on its own).
        pool = await lazy_pool(settings.postgres)
        read_model.target = PostgresReadModel(pool)
        analytics.pool = pool
        counters.pool = pool
        await listener.start()
        try:
            with metrics_server(registry, settings.api_metrics_host, settings.api_metrics_port):
                yield
        finally:
            hub.close()
            await listener.stop()
            await pool.close()

    registry = service_registry()
    app = create_api(
        settings,
        read_model,
        hub,
        registry,
        ready=ready,
        lifespan=lifespan,
        analytics=analytics,
        counters=counters,
    )
    return app, hub
