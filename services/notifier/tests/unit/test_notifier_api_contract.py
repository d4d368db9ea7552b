"""The HTTP API answers what its OpenAPI document says, and takes RFC 8259 JSON only."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import cast

import httpx
import pytest
from prometheus_client import CollectorRegistry

from suivi_infra.openapi_probe import JSON, Probe, undocumented_answers
from suivi_notifier.adapters.pg_subscriptions import SubscriptionStore
from suivi_notifier.api import create_api
from suivi_notifier.settings import NotifierSettings

TOKEN = "st_unknown_token_0001"
SUBSCRIBE = (
    b'{"token": "st_unknown_token_0001", "subscription": {"endpoint": "https://push.example/1",'
    b' "keys": {"p256dh": "BAAA", "auth": "AAAA"}}}'
)
UNSUBSCRIBE = b'{"token": "st_unknown_token_0001", "endpoint": "https://push.example/1"}'


class NoOrders:
    """The store of a notifier that knows no order (no PostgreSQL needed)."""

    async def ping(self) -> bool:
        return True

    async def order_by_status_token(self, token: str) -> None:
        return None

    async def order_by_unsubscribe_token(self, token: str) -> None:
        return None


async def _ready() -> bool:
    return True


@pytest.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    store = cast(SubscriptionStore, NoOrders())
    app = create_api(
        NotifierSettings(), store, vapid=None, registry=CollectorRegistry(), kafka_ready=_ready
    )
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://notifier") as c:
        yield c


async def test_every_answer_is_documented(client: httpx.AsyncClient) -> None:
    spec = (await client.get("/openapi.json")).json()
    extra = {
        "POST /v1/push-subscriptions": [Probe(JSON, SUBSCRIBE)],
        "DELETE /v1/push-subscriptions": [Probe(JSON, UNSUBSCRIBE)],
    }
    assert await undocumented_answers(client, spec, extra=extra) == {}
    for operation in (o for ops in spec["paths"].values() for o in ops.values()):
        assert "422" not in operation["responses"]  # invalid requests are answered 400


@pytest.mark.parametrize("number", ["NaN", "Infinity", "-Infinity", "1e999"])
async def test_json_bodies_refuse_numbers_json_does_not_have(
    client: httpx.AsyncClient, number: str
) -> None:
    body = UNSUBSCRIBE[:-1] + b', "expires": ' + number.encode() + b"}"
    answer = await client.request("DELETE", "/v1/push-subscriptions", content=body, headers=JSON)
    assert answer.status_code == 400, answer.text
    assert answer.json()["error"] == "invalid_request"
