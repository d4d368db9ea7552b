"""Every answer the projections API gives is one its OpenAPI document lists; RFC 8259 JSON."""

from __future__ import annotations

import pytest

from suivi_infra.openapi_probe import JSON, Probe, undocumented_answers
from suivi_projections.query.live import LiveHub
from suivi_projections.testing.browser import asgi_client
from suivi_projections.testing.fakes import PII, FakeReadModel, sample_order
from suivi_projections.web.app import create_api
from suivi_projections.web.settings import ApiSettings

KEY = "0123456789abcdef0123"
LOOKUP = b'{"merchant_id": "shop-a", "order_number": "1042", "email": "%s"' % PII["email"].encode()


async def test_every_answer_is_documented() -> None:
    settings = ApiSettings.model_validate({"merchant_keys": f"shop-a:{KEY}"})
    app = create_api(settings, FakeReadModel(sample_order()), LiveHub())
    extra = {"POST /v1/order-lookup": [Probe(JSON, LOOKUP + b"}"), Probe(JSON, b" " * 9000)]}
    async with asgi_client(app) as client:
        spec = (await client.get("/openapi.json")).json()
        auth = {"authorization": f"Bearer {KEY}"}
        assert await undocumented_answers(client, spec, auth=auth, extra=extra) == {}


@pytest.mark.parametrize("number", ["NaN", "Infinity", "1e999"])
async def test_lookups_refuse_numbers_json_does_not_have(number: str) -> None:
    app = create_api(ApiSettings(), FakeReadModel(sample_order()), LiveHub())
    body = LOOKUP + b', "remember": ' + number.encode() + b"}"
    async with asgi_client(app) as client:
        answer = await client.post("/v1/order-lookup", content=body, headers=JSON)
    assert answer.status_code == 400, answer.text
