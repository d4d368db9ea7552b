"""Health, readiness, metrics (bounded labels, no secrets), OpenAPI, rate-limit buckets."""

from __future__ import annotations

import pytest
from prometheus_client import CollectorRegistry, generate_latest

from suivi_projections.query.live import LiveHub
from suivi_projections.testing.browser import asgi_client
from suivi_projections.testing.fakes import PII, FakeReadModel, sample_order
from suivi_projections.web.app import create_api
from suivi_projections.web.ratelimit import client_key, retry_after
from suivi_projections.web.settings import ApiSettings


async def test_health_and_readiness_follow_the_probe() -> None:
    answers = [True]

    async def probe() -> bool:
        return answers[0]

    hub = LiveHub()
    app = create_api(ApiSettings(), FakeReadModel(), hub, ready=probe)
    async with asgi_client(app) as client:
        assert (await client.get("/healthz")).json() == {"status": "ok"}
        ready = await client.get("/readyz")
        assert ready.status_code == 200
        assert ready.json() == {"status": "ready", "live_updates": False}
        answers[0] = False
        not_ready = await client.get("/readyz")
        assert not_ready.status_code == 503
        assert not_ready.headers["retry-after"] == "5"


async def test_metrics_use_route_templates_never_tokens_or_emails() -> None:
    registry = CollectorRegistry()
    app = create_api(ApiSettings(), FakeReadModel(sample_order()), LiveHub(), registry)
    async with asgi_client(app) as client:
        await client.get("/orders/st_private_token_0001")
        await client.get("/s/sh_shared_token_0001")
        await client.get("/orders/unknown_token_123")
        await client.get("/no/such/path/st_private_token_0001")
        body = {"merchant_id": "shop-a", "order_number": "1042", "email": PII["email"]}
        await client.post("/v1/order-lookup", json=body)
    text = generate_latest(registry).decode()
    assert 'suivi_projections_api_requests_total{code="200",route="/orders/{token}"} 1.0' in text
    assert 'suivi_projections_api_requests_total{code="404",route="/orders/{token}"} 1.0' in text
    assert 'suivi_projections_api_requests_total{code="404",route="unmatched"} 1.0' in text
    assert 'suivi_projections_api_lookups_total{outcome="found"} 1.0' in text
    assert "suivi_projections_api_sse_subscribers 0.0" in text
    assert "suivi_projections_api_listener_connected 0.0" in text
    for secret in ("st_private_token_0001", "sh_shared_token_0001", "unknown_token", PII["email"]):
        assert secret not in text


async def test_openapi_documents_every_route() -> None:
    app = create_api(ApiSettings(), FakeReadModel(), LiveHub())
    async with asgi_client(app) as client:
        schema = (await client.get("/openapi.json")).json()
    paths = schema["paths"]
    assert "/metrics" not in paths  # on a port of its own (api_metrics_port)
    assert set(paths) >= {
        "/v1/order-lookup",
        "/lookup",
        "/m/{merchant_id}/lookup",
        "/orders/{token}",
        "/orders/{token}/fragment",
        "/orders/{token}/events",
        "/v1/orders/{token}",
        "/s/{share_token}",
        "/s/{share_token}/fragment",
        "/s/{share_token}/events",
        "/v1/merchant/orders",
        "/v1/merchant/orders/{order_number}",
        "/v1/merchant/shipments/{carrier}/{tracking_number}",
        "/healthz",
        "/readyz",
    }
    lookup = paths["/v1/order-lookup"]["post"]
    assert set(lookup["requestBody"]["content"]) == {
        "application/json",
        "application/x-www-form-urlencoded",
    }
    assert {"404", "429"} <= set(lookup["responses"])
    assert (
        "text/event-stream" in paths["/orders/{token}/events"]["get"]["responses"]["200"]["content"]
    )
    assert schema["components"]["securitySchemes"]["HTTPBearer"]["scheme"] == "bearer"
    assert all("422" not in op["responses"] for ops in paths.values() for op in ops.values())


def test_client_keys_group_ipv6_by_prefix() -> None:
    assert client_key("2001:db8:1:2:3:4:5:6") == client_key("2001:db8:1:2:ffff::1")
    assert client_key("2001:db8:1:2::1") != client_key("2001:db8:1:3::1")
    assert client_key("::ffff:198.51.100.7") == "198.51.100.7"
    assert client_key(None) == "unknown"
    assert retry_after(0.2) == "1" and retry_after(5.01) == "6"


async def test_unexpected_errors_are_contained_and_logged_without_their_message(
    caplog: pytest.LogCaptureFixture,
) -> None:
    class Broken(FakeReadModel):
        async def order_by_status_token(self, token: str) -> None:
            raise RuntimeError(f"value {PII['email']} rejected")

    registry = CollectorRegistry()
    app = create_api(ApiSettings(), Broken(), LiveHub(), registry)
    async with asgi_client(app) as client:
        response = await client.get("/orders/st_private_token_0001")
    metrics = generate_latest(registry).decode()
    assert response.status_code == 500
    assert response.json() == {"error": "internal_error", "detail": "unexpected error"}
    assert 'suivi_projections_api_requests_total{code="500",route="/orders/{token}"} 1.0' in metrics
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "unexpected RuntimeError" in logged and "/orders/{token}" in logged
    assert PII["email"] not in logged and "st_private_token_0001" not in logged
    assert all(r.exc_info is None for r in caplog.records)
