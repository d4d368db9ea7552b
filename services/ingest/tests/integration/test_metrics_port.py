"""Metrics are for Prometheus, on their own port, only while the service runs."""

from __future__ import annotations

import time

import httpx
import pytest

from suivi_infra.ports import free_port
from suivi_infra.settings import KafkaSettings
from suivi_ingest.bootstrap import build_app
from suivi_ingest.settings import IngestSettings
from suivi_ingest.testing.signers import suivi_headers


async def test_the_service_serves_metrics_on_the_metrics_port_only_while_it_runs(
    kafka_settings: KafkaSettings,
) -> None:
    port = free_port()
    settings = IngestSettings.model_validate(
        {"kafka": kafka_settings, "suivi_secret": "s", "metrics_port": port}
    )
    app = build_app(settings)
    body = b'{"tracking_number": "LA1FR"}'
    headers = {"content-type": "application/json", **suivi_headers(body, "x", int(time.time()))}
    async with app.router.lifespan_context(app):
        public = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://i")
        async with public, httpx.AsyncClient() as http:
            await public.post("/v1/webhooks/suivi", content=body, headers=headers)
            text = (await http.get(f"http://127.0.0.1:{port}/metrics")).text
    assert 'suivi_ingest_requests_total{code="401",provider="suivi"} 1.0' in text
    assert "process_resident_memory_bytes" in text
    async with httpx.AsyncClient() as http:
        with pytest.raises(httpx.ConnectError):
            await http.get(f"http://127.0.0.1:{port}/metrics")
