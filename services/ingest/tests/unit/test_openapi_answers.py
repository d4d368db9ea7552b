"""Every answer the ingest app gives is one its OpenAPI document lists."""

from __future__ import annotations

import json

import httpx

from suivi_infra.openapi_probe import JSON, Probe, undocumented_answers
from suivi_ingest.app import create_app
from suivi_ingest.settings import IngestSettings
from suivi_ingest.testing.fakes import FakeOrderPublisher, FakePublisher
from suivi_ingest.testing.signers import bearer

ORDER = {"order_number": "A-1", "placed_at": "2026-11-02T09:14:03+01:00"}


async def test_every_answer_is_documented() -> None:
    settings = IngestSettings.model_validate(
        {"merchant_keys": "shop-a:key-a", "suivi_secret": "s", "max_body_bytes": 4096}
    )
    publisher = FakePublisher(failure=RuntimeError("Kafka away"))
    app = create_app(settings, publisher, orders=FakeOrderPublisher(failure=RuntimeError("away")))
    auth = bearer("key-a")
    extra = {
        "POST /v1/orders": [
            Probe({**auth, **JSON}, json.dumps(ORDER).encode()),  # 503: the publisher fails
            Probe({**auth, **JSON}, json.dumps({**ORDER, "merchant_id": "shop-b"}).encode()),
            Probe({**auth, **JSON}, b" " * 5000),
        ],
        "POST /v1/webhooks/{provider}": [Probe(JSON, b"{}")],
    }
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://ingest") as client:
        spec = (await client.get("/openapi.json")).json()
        assert await undocumented_answers(client, spec, auth=auth, extra=extra) == {}
