"""RFC 8259 JSON only, and datetimes as the schema says (issue 12, item 8)."""

from __future__ import annotations

import copy
import json
import time
from typing import Any

import httpx
import pytest

from suivi_ingest.app import create_app
from suivi_ingest.settings import IngestSettings
from suivi_ingest.testing.fakes import FakeOrderPublisher, FakePublisher
from suivi_ingest.testing.signers import bearer, suivi_headers

SECRET = "whsec_strict"
NOT_RFC_8259 = ["NaN", "Infinity", "-Infinity", "1e999", "-1e999", "1" + "0" * 400 + ".5"]
ORDER: dict[str, Any] = {
    "order_number": "A-1",
    "placed_at": "2026-11-02T09:14:03+01:00",
    "shipments": [{"carrier": "ups", "tracking_number": "1Z999AA10123456784"}],
}


def _client(publisher: FakePublisher, orders: FakeOrderPublisher) -> httpx.AsyncClient:
    settings = IngestSettings.model_validate(
        {"suivi_secret": SECRET, "merchant_keys": "shop-a:key-a"}
    )
    app = create_app(settings, publisher, orders=orders)
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://ingest")


@pytest.mark.parametrize("number", NOT_RFC_8259)
async def test_webhooks_refuse_numbers_json_does_not_have(number: str) -> None:
    publisher = FakePublisher()
    body = ('{"tracking_number": "LA1FR", "weight": {"kg": ' + number + "}}").encode()
    headers = {"content-type": "application/json"}
    headers.update(suivi_headers(body, SECRET, int(time.time())))
    async with _client(publisher, FakeOrderPublisher()) as client:
        answer = await client.post("/v1/webhooks/suivi", content=body, headers=headers)
    assert answer.status_code == 400, answer.text
    assert answer.json()["error"] == "malformed_json"
    assert publisher.published == []


@pytest.mark.parametrize("number", NOT_RFC_8259)
async def test_orders_refuse_numbers_json_does_not_have(number: str) -> None:
    orders = FakeOrderPublisher()
    body = json.dumps(ORDER)[:-1] + ', "order_number": ' + number + "}"
    async with _client(FakePublisher(), orders) as client:
        answer = await client.post("/v1/orders", content=body, headers=bearer("key-a"))
    assert answer.status_code == 400, answer.text
    assert answer.json()["error"] == "malformed_json"
    assert orders.published == []


@pytest.mark.parametrize(
    ("field", "value"),
    [("placed_at", 0), ("placed_at", 1_793_613_600), ("shipped_at", 0), ("shipped_at", 1.5e9)],
)
async def test_datetimes_must_be_rfc_3339_strings_as_documented(field: str, value: float) -> None:
    order = copy.deepcopy(ORDER)
    if field == "shipped_at":
        order["shipments"][0]["shipped_at"] = value
    else:
        order[field] = value
    orders = FakeOrderPublisher()
    async with _client(FakePublisher(), orders) as client:
        answer = await client.post("/v1/orders", json=order, headers=bearer("key-a"))
        schema = (await client.get("/openapi.json")).json()
    assert answer.status_code == 400, answer.text
    assert answer.json()["error"] == "invalid_order"
    assert field in answer.json()["detail"]
    assert orders.published == []
    documented = json.dumps(schema["components"]["schemas"])
    assert '"format": "date-time"' in documented
