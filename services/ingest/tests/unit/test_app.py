"""The HTTP contract with a fake publisher: statuses, their order, the envelope, metrics."""

from __future__ import annotations

import hashlib
import json
from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import FastAPI
from prometheus_client import CollectorRegistry, generate_latest

from suivi_ingest.app import create_app
from suivi_ingest.settings import IngestSettings
from suivi_ingest.testing.fakes import FakePublisher
from suivi_ingest.testing.signers import suivi_headers

NOW = 1_700_000_000
SECRET = "whsec_suivi"
URL = "/v1/webhooks/suivi"
BODY = json.dumps(
    {"delivery_id": "dlv_42", "tracking_number": "1z 999-aa1 0123456784", "city": "Besançon ✓"},
    ensure_ascii=False,
).encode()


def make_app(
    publisher: FakePublisher, registry: CollectorRegistry | None = None, **overrides: object
) -> FastAPI:
    values: dict[str, object] = {
        "suivi_secret": SECRET,
        "publish_timeout_seconds": 0.2,
        "instance": "ingest-test",
    }
    values.update(overrides)
    settings = IngestSettings.model_validate(values)
    return create_app(settings, publisher, registry=registry, clock=lambda: NOW)


def signed(body: bytes = BODY, extra: dict[str, str] | None = None) -> dict[str, str]:
    return {"content-type": "application/json", **suivi_headers(body, SECRET, NOW), **(extra or {})}


@pytest.fixture
def publisher() -> FakePublisher:
    return FakePublisher()


@pytest.fixture
def registry() -> CollectorRegistry:
    return CollectorRegistry()


@pytest.fixture
async def client(
    publisher: FakePublisher, registry: CollectorRegistry
) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=make_app(publisher, registry))
    async with httpx.AsyncClient(transport=transport, base_url="http://ingest") as c:
        yield c


def _error(response: httpx.Response, status: int, error: str) -> str:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/json"
    body = response.json()
    assert body["error"] == error
    detail: str = body["detail"]
    return detail


async def test_accepted_only_after_publish_with_the_exact_envelope(
    client: httpx.AsyncClient, publisher: FakePublisher
) -> None:
    headers = signed(BODY, {"x-request-id": "req-1", "suivi-event-type": "tracking.updated"})
    headers["content-type"] = "application/json; charset=UTF-8"
    response = await client.post(URL, content=BODY, headers=headers)

    assert response.status_code == 202
    [(event, key)] = publisher.published
    assert response.json() == {"raw_event_id": str(event.event_id), "status": "accepted"}
    assert key == "suivi:1Z999AA10123456784"
    assert event.provider == "suivi"
    assert event.body == BODY.decode("utf-8")  # exactly as received, non-ASCII included
    assert event.body.encode("utf-8") == BODY
    assert event.body_sha256 == hashlib.sha256(BODY).hexdigest()
    assert event.delivery_id == "dlv_42"
    assert event.content_type == "application/json; charset=UTF-8"
    assert event.headers == {
        "user-agent": "python-httpx/0.28.1",
        "suivi-event-type": "tracking.updated",
    }
    assert event.ingest.request_id == "req-1"
    assert event.ingest.signature_scheme == "suivi-v1"
    assert event.ingest.ingest_instance == "ingest-test"
    assert event.ingest.content_length == len(BODY)
    assert event.received_at.tzinfo is not None


async def test_signature_headers_never_reach_the_envelope(
    client: httpx.AsyncClient, publisher: FakePublisher
) -> None:
    headers = signed(BODY, {"authorization": "Bearer x"})
    response = await client.post(URL, content=BODY, headers=headers)
    assert response.status_code == 202
    event = publisher.published[0][0]
    assert set(event.headers) == {"user-agent"}
    serialized = event.model_dump_json()
    assert headers["Suivi-Signature"].split("v1=")[1] not in serialized
    assert "Bearer" not in serialized


async def test_key_falls_back_to_the_provider(
    client: httpx.AsyncClient, publisher: FakePublisher
) -> None:
    for body in (b'{"status":"x"}', b'{"tracking_number":" - "}', b'{"tracking_number":[1]}'):
        assert (await client.post(URL, content=body, headers=signed(body))).status_code == 202
    assert [key for _, key in publisher.published] == ["suivi"] * 3
    assert all(event.delivery_id is None for event, _ in publisher.published)


async def test_delivery_id_may_come_from_the_suivi_header(
    client: httpx.AsyncClient, publisher: FakePublisher
) -> None:
    body = b'{"tracking_number":"X1"}'
    headers = signed(body, {"suivi-delivery-id": "dlv_h"})
    assert (await client.post(URL, content=body, headers=headers)).status_code == 202
    assert publisher.published[0][0].delivery_id == "dlv_h"


async def test_unknown_provider_is_404_before_anything_else(client: httpx.AsyncClient) -> None:
    response = await client.post("/v1/webhooks/royalmail", content=b"\xff", headers={})
    assert "royalmail" in _error(response, 404, "unknown_provider")


@pytest.mark.parametrize(
    "content_type",
    [None, "text/plain", "application/x-www-form-urlencoded", "application/json; charset=latin-1"],
)
async def test_not_json_is_415(client: httpx.AsyncClient, content_type: str | None) -> None:
    headers = signed()
    del headers["content-type"]
    if content_type is not None:
        headers["content-type"] = content_type
    _error(await client.post(URL, content=BODY, headers=headers), 415, "unsupported_media_type")


async def test_415_comes_before_413_and_401(publisher: FakePublisher) -> None:
    async with _client(make_app(publisher, max_body_bytes=4)) as c:
        response = await c.post(URL, content=BODY, headers={"content-type": "text/plain"})
        _error(response, 415, "unsupported_media_type")


async def test_body_over_the_limit_is_413_before_the_signature(publisher: FakePublisher) -> None:
    async with _client(make_app(publisher, max_body_bytes=len(BODY) - 1)) as c:
        response = await c.post(URL, content=BODY, headers={"content-type": "application/json"})
        assert "bytes" in _error(response, 413, "payload_too_large")


async def test_413_is_enforced_while_streaming_without_content_length(
    publisher: FakePublisher,
) -> None:
    async def chunks() -> AsyncIterator[bytes]:
        for _ in range(10):
            yield b" " * 10

    async with _client(make_app(publisher, max_body_bytes=50)) as c:
        request = c.build_request("POST", URL, content=chunks(), headers=signed())
        assert "content-length" not in request.headers
        _error(await c.send(request), 413, "payload_too_large")
    assert publisher.published == []


async def test_body_at_the_limit_is_accepted(publisher: FakePublisher) -> None:
    async with _client(make_app(publisher, max_body_bytes=len(BODY))) as c:
        assert (await c.post(URL, content=BODY, headers=signed())).status_code == 202


async def test_signature_is_checked_before_json(client: httpx.AsyncClient) -> None:
    response = await client.post(
        URL, content=b"{not json", headers={"content-type": "application/json"}
    )
    _error(response, 401, "invalid_signature")


@pytest.mark.parametrize(
    ("body", "error", "says"),
    [
        (b'{"a": 1,', "malformed_json", "line 1 column"),
        (b"", "malformed_json", "EOF"),
        (b'{"a": "\xe9"}', "invalid_encoding", "offset 7"),
        (b"[1, 2]", "not_an_object", "array"),
        (b'"text"', "not_an_object", "str"),
        (b"null", "not_an_object", "NoneType"),
    ],
)
async def test_bad_bodies_are_400_with_a_reason(
    client: httpx.AsyncClient, publisher: FakePublisher, body: bytes, error: str, says: str
) -> None:
    response = await client.post(URL, content=body, headers=signed(body))
    assert says in _error(response, 400, error)
    assert publisher.published == []


async def test_unconfigured_provider_is_refused(client: httpx.AsyncClient) -> None:
    detail = _error(
        await client.post("/v1/webhooks/easypost", content=b"{}", headers=signed(b"{}")),
        401,
        "provider_not_configured",
    )
    assert "easypost" in detail and "not configured" in detail


@pytest.mark.parametrize("failure", [ConnectionError("down"), RuntimeError("kafka said no")])
async def test_publish_failure_is_503_with_retry_after(
    client: httpx.AsyncClient, publisher: FakePublisher, failure: Exception
) -> None:
    publisher.failure = failure
    response = await client.post(URL, content=BODY, headers=signed())
    _error(response, 503, "kafka_unavailable")
    assert response.headers["retry-after"] == "30"


async def test_publish_timeout_is_503_with_retry_after(
    client: httpx.AsyncClient, publisher: FakePublisher
) -> None:
    publisher.delay = 5.0
    response = await client.post(URL, content=BODY, headers=signed())
    assert "0.2 s" in _error(response, 503, "publish_timeout")
    assert response.headers["retry-after"] == "30"


async def test_health_and_readiness(client: httpx.AsyncClient, publisher: FakePublisher) -> None:
    assert (await client.get("/healthz")).json() == {"status": "ok"}
    assert (await client.get("/readyz")).status_code == 200
    publisher.is_ready = False
    response = await client.get("/readyz")
    _error(response, 503, "not_ready")
    assert (await client.get("/healthz")).status_code == 200


async def test_metrics_count_requests_with_bounded_labels(
    client: httpx.AsyncClient, publisher: FakePublisher, registry: CollectorRegistry
) -> None:
    await client.post(URL, content=BODY, headers=signed())
    await client.post(URL, content=BODY, headers={"content-type": "application/json"})
    await client.post("/v1/webhooks/1Z999AA10123456784", content=b"{}")
    publisher.failure = RuntimeError("down")
    await client.post(URL, content=BODY, headers=signed())

    text = generate_latest(registry).decode()
    assert 'suivi_ingest_requests_total{code="202",provider="suivi"} 1.0' in text
    assert 'suivi_ingest_requests_total{code="401",provider="suivi"} 1.0' in text
    assert 'suivi_ingest_requests_total{code="404",provider="unknown"} 1.0' in text
    assert 'suivi_ingest_requests_total{code="503",provider="suivi"} 1.0' in text
    assert 'suivi_ingest_signature_failures_total{provider="suivi"} 1.0' in text
    assert "suivi_ingest_publish_failures_total 1.0" in text
    assert "suivi_ingest_publish_duration_seconds_count 1.0" in text
    assert "suivi_ingest_request_body_bytes_count 3.0" in text
    assert "1Z999AA10123456784" not in text


async def test_two_apps_keep_separate_metrics() -> None:
    first, second = FakePublisher(), FakePublisher()
    registry = CollectorRegistry()
    async with _client(make_app(first)) as a, _client(make_app(second, registry)):
        await a.post(URL, content=BODY, headers=signed())
        assert "suivi_ingest_requests_total{" not in generate_latest(registry).decode()


async def test_openapi_documents_the_route_and_its_errors(client: httpx.AsyncClient) -> None:
    spec = (await client.get("/openapi.json")).json()
    post = spec["paths"]["/v1/webhooks/{provider}"]["post"]
    assert set(post["responses"]) == {"202", "400", "401", "404", "413", "415", "503"}
    assert "application/json" in post["requestBody"]["content"]
    assert {"/healthz", "/readyz"} <= set(spec["paths"])


async def test_other_routes_answer_json_errors(client: httpx.AsyncClient) -> None:
    _error(await client.get("/nowhere"), 404, "not_found")
    _error(await client.get(URL), 405, "method_not_allowed")


def _client(app: FastAPI) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://ingest")


async def test_a_bug_answers_json_500_without_leaking() -> None:
    class Broken(FakePublisher):
        async def ready(self) -> bool:
            raise ValueError("tracking number 1Z999AA10123456784 of Jane Doe")

    transport = httpx.ASGITransport(app=make_app(Broken()), raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://ingest") as c:
        response = await c.get("/readyz")
    assert "1Z999" not in _error(response, 500, "internal_error")
