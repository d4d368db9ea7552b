"""Metrics are for Prometheus, on their own port: not on the public webhook port."""

from __future__ import annotations

import httpx

from suivi_ingest.app import create_app
from suivi_ingest.settings import IngestSettings
from suivi_ingest.testing.fakes import FakePublisher


async def test_the_public_port_has_no_metrics() -> None:
    app = create_app(IngestSettings(), FakePublisher())
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://ingest"
    ) as client:
        assert (await client.get("/metrics")).status_code == 404
        assert "/metrics" not in (await client.get("/openapi.json")).json()["paths"]
