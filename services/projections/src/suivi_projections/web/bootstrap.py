"""Composition root of the query side: settings → pool → read model, LISTEN → hub → app."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import asyncpg
from fastapi import FastAPI

from suivi_infra.merchants import MerchantDirectory
from suivi_infra.metrics import metrics_server, service_registry
from suivi_infra.postgres import lazy_pool
from suivi_projections.query.analytics import PostgresAnalytics
from suivi_projections.query.live import LiveHub, PostgresOrderListener
from suivi_projections.query.parcels import ParcelReadModel
from suivi_projections.web.app import create_api
from suivi_projections.web.context import Backends, install, lookup_limiter
from suivi_projections.web.dashboard.compose import build_dashboard
from suivi_projections.web.dashboard.routes import install_dashboard
from suivi_projections.web.ratelimit_pg import PostgresCounters
from suivi_projections.web.settings import ApiSettings
from suivi_projections.web.shops import DirectoryShops, StaticShops


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
    pool: asyncpg.Pool | None = None
    # The console's merchants (keys, names, branding) from merchants.v1, followed in the
    # background; the environment's keys and names stay the bootstrap path.
    directory = MerchantDirectory() if settings.merchant_directory else None

    async def ready() -> bool:
        if pool is None:
            return False
        try:
            async with asyncio.timeout(settings.readiness_probe_seconds):
                return bool(await pool.fetchval("SELECT 1") == 1)
        except (TimeoutError, OSError, asyncpg.PostgresError, asyncpg.InterfaceError):
            return False

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        nonlocal pool
        # Needs no server: while PostgreSQL is away the API serves, /readyz answers 503, and
        # the connections open once it answers (the listener retries on its own). The pool
        # belongs to the running loop: the read side is made of it here, not before.
        pool = await lazy_pool(settings.postgres)
        # The lookup limits are counted in PostgreSQL, shared by every API process.
        limits = lookup_limiter(settings, PostgresCounters(pool), time.time)
        install(app, Backends(ParcelReadModel(pool), limits, PostgresAnalytics(pool)))
        # The shopper's dashboard: its sign-in outbox is drained in the background.
        dashboard = build_dashboard(settings, pool, shops, PostgresCounters(pool))
        install_dashboard(app, dashboard)
        dashboard.start()
        await listener.start()
        if directory is not None:
            directory.start(settings.kafka, settings.merchants_topic)
        try:
            with metrics_server(registry, settings.api_metrics_host, settings.api_metrics_port):
                yield
        finally:
            if directory is not None:
                await directory.stop()
            await dashboard.stop()
            hub.close()
            await listener.stop()
            await pool.close()

    registry = service_registry()
    static = StaticShops(settings.merchant_names, settings.merchant_branding)
    shops = DirectoryShops(directory, static) if directory is not None else static
    app = create_api(
        settings, None, hub, registry, ready=ready, lifespan=lifespan, directory=directory,
        shops=shops,
    )  # fmt: skip
    return app, hub
