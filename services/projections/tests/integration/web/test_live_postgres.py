"""Live updates from a real PostgreSQL: NOTIFY suivi_order_changed → the SSE stream emits."""

from __future__ import annotations

import uuid

import asyncpg
import httpx

from suivi_infra.browser import serve
from suivi_infra.ports import free_port
from suivi_infra.settings import PostgresSettings
from suivi_projections.db.notify import ORDER_CHANGED_CHANNEL
from suivi_projections.query.live import LiveHub, PostgresOrderListener
from suivi_projections.testing.browser import eventually, next_event
from suivi_projections.testing.fakes import FakeReadModel, sample_order
from suivi_projections.web.app import create_api
from suivi_projections.web.bootstrap import build_api
from suivi_projections.web.settings import ApiSettings


async def notify_in_transaction(pool: asyncpg.Pool, token: str) -> None:
    """As the projector does: the NOTIFY is delivered when the transaction commits."""
    async with pool.acquire() as conn, conn.transaction():
        await conn.execute("SELECT pg_notify($1, $2)", ORDER_CHANGED_CHANNEL, token)


async def test_notify_reaches_the_sse_stream_and_survives_a_lost_connection(
    postgres_settings: PostgresSettings, pg_pool: asyncpg.Pool
) -> None:
    # Tokens unique to this run: NOTIFY channels are database-wide, not per schema.
    token = f"st_{uuid.uuid4().hex}"
    order = sample_order(token=token, share_token=f"sh_{uuid.uuid4().hex}")
    hub = LiveHub()
    listener = PostgresOrderListener(
        postgres_settings.database_url, hub, probe_seconds=0.5, retry_seconds=0.1
    )
    await listener.start()
    app = create_api(ApiSettings(sse_heartbeat_seconds=1), FakeReadModel(order), hub)
    try:
        await eventually(lambda: hub.connected)
        async with serve(app) as base, httpx.AsyncClient(base_url=base, timeout=10) as client:
            async with client.stream("GET", f"/orders/{token}/events") as response:
                assert response.status_code == 200
                lines = response.aiter_lines()
                await eventually(lambda: hub.subscribers == 1)

                await notify_in_transaction(pg_pool, f"st_{uuid.uuid4().hex}")  # another order
                await notify_in_transaction(pg_pool, token)
                assert await next_event(lines) == "changed"
                assert (await client.get("/readyz")).json()["live_updates"] is True

                # The LISTEN connection dies: the listener reconnects and tells every stream
                # to re-fetch (notifications may have been missed meanwhile).
                pid = listener.backend_pid
                assert pid is not None
                assert await pg_pool.fetchval("SELECT pg_terminate_backend($1)", pid)
                assert await next_event(lines) == "changed"
                await eventually(lambda: listener.connections == 2)
                await notify_in_transaction(pg_pool, token)
                assert await next_event(lines) == "changed"
            hub.close()
    finally:
        await listener.stop()
    assert not hub.connected


async def test_the_composed_service_listens_and_is_ready(
    postgres_settings: PostgresSettings,
) -> None:
    port = free_port()
    app, hub = build_api(ApiSettings(postgres=postgres_settings, api_metrics_port=port))
    async with serve(app, lifespan="on") as base, httpx.AsyncClient(base_url=base) as client:
        await eventually(lambda: hub.connected)
        ready = await client.get("/readyz")
        assert ready.json() == {"status": "ready", "live_updates": True}
        # Metrics on their own port only, never on the public one.
        assert (await client.get("/metrics")).status_code == 404
        metrics = (await client.get(f"http://127.0.0.1:{port}/metrics")).text
        assert "suivi_projections_api_listener_connected 1.0" in metrics
    assert not hub.connected  # the listener stopped with the app
