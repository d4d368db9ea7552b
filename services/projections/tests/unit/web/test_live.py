"""Live updates: the hub's fan-out, the SSE stream over a real server, clean disconnects."""

from __future__ import annotations

import asyncio
import socket

import httpx
import pytest
import uvicorn
from prometheus_client import CollectorRegistry, generate_latest

from suivi_infra.browser import serve
from suivi_projections.query.live import LiveHub, Subscription, event_stream
from suivi_projections.testing.browser import eventually, next_event
from suivi_projections.testing.fakes import FakeReadModel, sample_order
from suivi_projections.web.__main__ import Server
from suivi_projections.web.app import create_api
from suivi_projections.web.settings import ApiSettings

TOKEN = "st_private_token_0001"


def test_hub_fans_out_per_token_and_counts() -> None:
    counts: list[int] = []
    hub = LiveHub(max_subscribers=3)
    hub.attach_counter(counts.append)
    with hub.subscribe("a") as a1, hub.subscribe("a") as a2, hub.subscribe("b") as b:
        assert hub.full
        assert hub.publish("a") == 2
        assert hub.publish("nobody") == 0
        assert a1._changed.is_set() and a2._changed.is_set() and not b._changed.is_set()
    assert hub.subscribers == 0 and not hub.full
    assert counts == [0, 1, 2, 3, 2, 1, 0]


async def test_a_burst_of_changes_wakes_a_stream_once_and_heartbeats_fill_silence() -> None:
    subscription = Subscription("t")
    stream = event_stream(subscription, heartbeat_seconds=0.05, max_seconds=10)
    assert await anext(stream) == b"retry: 3000\n: connected\n\n"
    subscription.notify()
    subscription.notify()
    assert await anext(stream) == b"event: changed\ndata: {}\n\n"
    assert await anext(stream) == b": heartbeat\n\n"
    subscription.close()
    assert await anext(stream) == b"event: bye\ndata: {}\n\n"
    with pytest.raises(StopAsyncIteration):
        await anext(stream)


async def test_streams_end_after_their_maximum_duration() -> None:
    stream = event_stream(Subscription("t"), heartbeat_seconds=10, max_seconds=0.05)
    chunks = [chunk async for chunk in stream]
    assert chunks[-1] == b"event: bye\ndata: {}\n\n"


async def test_sse_over_http_emits_on_publish_and_unsubscribes_on_disconnect() -> None:
    hub = LiveHub()
    settings = ApiSettings(sse_heartbeat_seconds=0.2)
    registry = CollectorRegistry()
    app = create_api(settings, FakeReadModel(sample_order()), hub, registry)
    async with serve(app) as base, httpx.AsyncClient(base_url=base, timeout=5) as client:
        for path in (f"/orders/{TOKEN}/events", "/s/sh_shared_token_0001/events"):
            async with client.stream("GET", path) as response:
                assert response.status_code == 200
                assert response.headers["content-type"].startswith("text/event-stream")
                assert response.headers["cache-control"] == "no-store"
                lines = response.aiter_lines()
                await eventually(lambda: hub.subscribers == 1)
                metrics = generate_latest(registry).decode()
                assert "suivi_projections_api_sse_subscribers 1.0" in metrics
                hub.publish(TOKEN)  # share-token streams listen on the order's status token
                assert await next_event(lines) == "changed"
            await eventually(lambda: hub.subscribers == 0)  # the client went away
        hub.close()


async def test_too_many_streams_is_503() -> None:
    hub = LiveHub(max_subscribers=1)
    app = create_api(ApiSettings(), FakeReadModel(sample_order()), hub)
    async with (
        serve(app) as base,
        httpx.AsyncClient(base_url=base, timeout=5) as client,
        client.stream("GET", f"/orders/{TOKEN}/events") as first,
    ):
        assert first.status_code == 200
        await eventually(lambda: hub.subscribers == 1)
        second = await client.get(f"/orders/{TOKEN}/events")
        hub.close()
    assert second.status_code == 503
    assert second.headers["retry-after"] == "30"


async def test_shutdown_ends_open_streams_at_once() -> None:
    hub = LiveHub()
    app = create_api(ApiSettings(), FakeReadModel(sample_order()), hub)
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    config = uvicorn.Config(app, log_config=None, lifespan="off", timeout_graceful_shutdown=30)
    server = Server(config, hub)
    task = asyncio.create_task(server.serve(sockets=[sock]))
    base = f"http://127.0.0.1:{sock.getsockname()[1]}"
    await eventually(lambda: server.started)
    async with (
        httpx.AsyncClient(base_url=base, timeout=10) as client,
        client.stream("GET", f"/orders/{TOKEN}/events") as response,
    ):
        lines = response.aiter_lines()
        await eventually(lambda: hub.subscribers == 1)
        server.should_exit = True
        assert await next_event(lines) == "bye"  # not after the 30 s grace period
        await asyncio.wait_for(task, 5)
    sock.close()
