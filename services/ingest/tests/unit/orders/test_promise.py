"""POST /v1/orders with `promised_delivery_date` (issue 21): a real day, carried to the event."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import date
from typing import Any

import httpx
import pytest

from suivi_ingest.app import create_app
from suivi_ingest.settings import IngestSettings
from suivi_ingest.testing.fakes import FakeOrderPublisher, FakePublisher
from suivi_ingest.testing.signers import bearer

NOW = 1_793_613_600  # 2026-11-02T10:00:00Z
ORDER: dict[str, Any] = {
    "order_number": "A-1001",
    "placed_at": "2026-11-02T09:14:03+01:00",
    "updated_at": "2026-11-02T10:30:00+01:00",
}


@pytest.fixture
def orders() -> FakeOrderPublisher:
    return FakeOrderPublisher()


@pytest.fixture
async def client(orders: FakeOrderPublisher) -> AsyncIterator[httpx.AsyncClient]:
    settings = IngestSettings.model_validate({"merchant_keys": "shop-a:key-a"})
    app = create_app(settings, FakePublisher(), clock=lambda: NOW, orders=orders)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://ingest") as c:
        yield c


async def _post(client: httpx.AsyncClient, **fields: Any) -> httpx.Response:
    body = json.dumps({**ORDER, **fields}).encode()
    return await client.post("/v1/orders", content=body, headers=bearer("key-a"))


async def test_promise_reaches_the_published_snapshot(
    client: httpx.AsyncClient, orders: FakeOrderPublisher
) -> None:
    response = await _post(client, promised_delivery_date="2026-11-05")
    assert response.status_code == 202, response.text
    [(event, _)] = orders.published
    assert event.promised_delivery_date == date(2026, 11, 5)


async def test_no_promise_is_none(client: httpx.AsyncClient, orders: FakeOrderPublisher) -> None:
    assert (await _post(client)).status_code == 202
    assert orders.published[0][0].promised_delivery_date is None


@pytest.mark.parametrize(
    ("value", "says"),
    [
        ("2026-02-30", "must be a calendar day, YYYY-MM-DD"),
        ("05/11/2026", "must be a calendar day, YYYY-MM-DD"),
        ("2026-11-05T00:00:00+01:00", "must be a calendar day, YYYY-MM-DD"),
        (20261105, "must be a calendar day, YYYY-MM-DD"),
        ("2026-10-30", "is before placed_at"),
    ],
)
async def test_invalid_promise_is_a_precise_400(
    client: httpx.AsyncClient, orders: FakeOrderPublisher, value: Any, says: str
) -> None:
    response = await _post(client, promised_delivery_date=value)
    assert response.status_code == 400, response.text
    body = response.json()
    assert body["error"] == "invalid_order"
    assert body["detail"].startswith(f"promised_delivery_date: {says}")
    assert orders.published == []
