"""POST /v1/orders with fake publishers: API keys, validation, snapshots, ids, errors, metrics."""

from __future__ import annotations

import copy
import json
import logging
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from prometheus_client import CollectorRegistry, generate_latest

from suivi_ingest.app import create_app
from suivi_ingest.settings import IngestSettings
from suivi_ingest.testing.fakes import FakeOrderPublisher, FakePublisher
from suivi_ingest.testing.signers import bearer
from suivi_schemas.ids import SUIVI_NAMESPACE
from suivi_schemas.orders import OrderEvent, OrderEventKind

NOW = 1_793_613_600  # 2026-11-02T10:00:00Z
URL = "/v1/orders"
KEYS = "shop-a:key-a-new, shop-a:key-a-old, shop-b:key-b"
ORDER: dict[str, Any] = {
    "order_number": "A-1001",
    "placed_at": "2026-11-02T09:14:03+01:00",
    "updated_at": "2026-11-02T10:30:00+01:00",
    "customer": {
        "email": "zoe.lefevre@example.fr",
        "phone": "+33 6 12-34-56-78",
        "name": "Zoë Lefèvre",
        "locale": "fr_fr",
        "timezone": "Europe/Paris",
    },
    "notifications": {"email": True, "sms": True, "push": False},
    "shipping_address": {
        "name": "Zoë Lefèvre",
        "line1": "12 rue des Granges",
        "line2": "Bâtiment B",
        "city": "Besançon",
        "postal_code": "25000",
        "country": "fr",
    },
    "line_items": [
        {"line_item_id": "L1", "title": "Tasse émaillée « Doubs »", "quantity": 2, "sku": "T-1"},
        {"line_item_id": "L2", "title": "Carnet ☕ 北京", "quantity": 1},
    ],
    "shipments": [
        {
            "carrier": "UPS",
            "tracking_number": "1z 999 aa1 0123-4567-84",
            "items": [{"line_item_id": "L1", "quantity": 2}],
            "shipped_at": "2026-11-02T10:20:00+01:00",
        },
        {"carrier": "La Poste", "tracking_number": "6A12345678901", "state": "cancelled"},
    ],
}


def make_app(
    orders: FakeOrderPublisher, registry: CollectorRegistry | None = None, **overrides: object
) -> FastAPI:
    values: dict[str, object] = {"merchant_keys": KEYS, "publish_timeout_seconds": 0.2}
    values.update(overrides)
    settings = IngestSettings.model_validate(values)
    return create_app(
        settings, FakePublisher(), registry=registry, clock=lambda: NOW, orders=orders
    )


def _client(app: FastAPI) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://ingest")


@pytest.fixture
def orders() -> FakeOrderPublisher:
    return FakeOrderPublisher()


@pytest.fixture
def registry() -> CollectorRegistry:
    return CollectorRegistry()


@pytest.fixture
async def client(
    orders: FakeOrderPublisher, registry: CollectorRegistry
) -> AsyncIterator[httpx.AsyncClient]:
    async with _client(make_app(orders, registry)) as c:
        yield c


def _body(order: dict[str, Any] = ORDER) -> bytes:
    return json.dumps(order, ensure_ascii=False).encode()


def _error(response: httpx.Response, status: int, error: str) -> str:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/json"
    body = response.json()
    assert body["error"] == error
    detail: str = body["detail"]
    return detail


async def test_accepted_after_publish_with_the_whole_snapshot(
    client: httpx.AsyncClient, orders: FakeOrderPublisher
) -> None:
    response = await client.post(URL, content=_body(), headers=bearer("key-a-new"))

    assert response.status_code == 202, response.text
    [(event, key)] = orders.published
    assert response.json() == {"event_id": str(event.event_id), "status": "accepted"}
    assert key == event.key == "shop-a:A-1001"
    assert isinstance(event, OrderEvent)
    assert (event.merchant_id, event.source, event.kind) == ("shop-a", "api", "snapshot")
    assert event.placed_at == datetime(2026, 11, 2, 8, 14, 3, tzinfo=UTC)
    assert event.updated_at == datetime(2026, 11, 2, 9, 30, tzinfo=UTC)
    assert event.customer.model_dump() == {
        "email": "zoe.lefevre@example.fr",
        "phone": "+33612345678",
        "name": "Zoë Lefèvre",
        "locale": "fr-FR",
        "timezone": "Europe/Paris",
    }
    assert (event.notifications.email, event.notifications.sms) == (True, True)
    assert event.shipping_address is not None
    assert (event.shipping_address.city, event.shipping_address.country) == ("Besançon", "FR")
    assert [(i.line_item_id, i.title, i.quantity) for i in event.line_items] == [
        ("L1", "Tasse émaillée « Doubs »", 2),
        ("L2", "Carnet ☕ 北京", 1),
    ]
    ups, laposte = event.shipments
    assert (ups.key, ups.state, ups.fulfillment_id) == ("ups:1Z999AA10123456784", "active", None)
    assert [(i.line_item_id, i.quantity) for i in ups.items] == [("L1", 2)]
    assert (laposte.key, laposte.state) == ("laposte:6A12345678901", "cancelled")


async def test_readers_of_todays_contract_read_the_event(
    client: httpx.AsyncClient, orders: FakeOrderPublisher
) -> None:
    await client.post(URL, content=_body(), headers=bearer("key-a-new"))
    event = orders.published[0][0]
    wire = event.__pydantic_serializer__.to_json(event)
    plain = OrderEvent.model_validate_json(wire)
    assert plain.event_id == event.event_id
    assert [s.key for s in plain.shipments] == [s.key for s in event.shipments]
    assert json.loads(wire)["kind"] == "snapshot"


async def test_event_id_is_a_uuid5_of_merchant_order_and_updated_at(
    client: httpx.AsyncClient, orders: FakeOrderPublisher
) -> None:
    same_instant = copy.deepcopy(ORDER)
    same_instant["updated_at"] = "2026-11-02T09:30:00Z"
    later = copy.deepcopy(ORDER)
    later["updated_at"] = "2026-11-02T09:30:01Z"
    answers = [
        await client.post(URL, content=_body(o), headers=bearer(k))
        for o, k in ((ORDER, "key-a-new"), (ORDER, "key-a-old"), (same_instant, "key-a-new"))
    ]
    answers.append(await client.post(URL, content=_body(later), headers=bearer("key-a-new")))
    ids = [a.json()["event_id"] for a in answers]
    expected = uuid.uuid5(SUIVI_NAMESPACE, "order|shop-a|A-1001|2026-11-02T09:30:00.000000+00:00")
    assert ids[:3] == [str(expected)] * 3  # a retry, or the same instant spelt otherwise
    assert ids[3] != ids[0]
    other_merchant = await client.post(URL, content=_body(), headers=bearer("key-b"))
    assert other_merchant.json()["event_id"] not in ids
    assert [key for _, key in orders.published][-1] == "shop-b:A-1001"


async def test_updated_at_defaults_to_now(
    client: httpx.AsyncClient, orders: FakeOrderPublisher
) -> None:
    order = {k: v for k, v in ORDER.items() if k != "updated_at"}
    assert (
        await client.post(URL, content=_body(order), headers=bearer("key-b"))
    ).status_code == 202
    assert orders.published[0][0].updated_at == datetime.fromtimestamp(NOW, UTC)


async def test_a_minimal_order_is_enough(
    client: httpx.AsyncClient, orders: FakeOrderPublisher
) -> None:
    minimal = {"order_number": "7", "placed_at": "2026-11-02T09:00:00Z"}
    response = await client.post(URL, content=_body(minimal), headers=bearer("key-b"))
    assert response.status_code == 202, response.text
    event = orders.published[0][0]
    assert (event.customer.locale, event.customer.timezone) == ("en", "UTC")
    assert event.shipments == () and event.line_items == ()


@pytest.mark.parametrize(
    ("authorization", "error"),
    [
        (None, "missing_api_key"),
        ("", "missing_api_key"),
        ("Basic a2V5LWEtbmV3", "invalid_authorization"),
        ("Bearer", "invalid_authorization"),
        ("Bearer key-a-newer", "invalid_api_key"),
        ("Bearer KEY-A-NEW", "invalid_api_key"),
        ("Bearer " + "k" * 5000, "invalid_api_key"),
    ],
)
async def test_refused_without_a_valid_key(
    client: httpx.AsyncClient,
    orders: FakeOrderPublisher,
    authorization: str | None,
    error: str,
) -> None:
    headers = {"content-type": "application/json"}
    if authorization is not None:
        headers["authorization"] = authorization
    response = await client.post(URL, content=_body(), headers=headers)
    _error(response, 401, error)
    assert response.headers["www-authenticate"].startswith("Bearer")
    assert orders.published == []


async def test_the_key_is_checked_before_the_body(client: httpx.AsyncClient) -> None:
    response = await client.post(URL, content=b"\xff{", headers={"content-type": "text/plain"})
    _error(response, 401, "missing_api_key")


async def test_rotated_keys_both_work_and_name_the_merchant(
    client: httpx.AsyncClient, orders: FakeOrderPublisher
) -> None:
    for key in ("key-a-new", "key-a-old", "key-b"):
        response = await client.post(URL, content=_body(), headers=bearer(key))
        assert response.status_code == 202
    assert [e.merchant_id for e, _ in orders.published] == ["shop-a", "shop-a", "shop-b"]
    assert (await client.post(URL, content=_body(), headers=bearer(" key-b "))).status_code == 202


async def test_unconfigured_keys_refuse_everything(orders: FakeOrderPublisher) -> None:
    async with _client(make_app(orders, merchant_keys=None)) as c:
        response = await c.post(URL, content=_body(), headers=bearer("key-a-new"))
    assert "SUIVI_INGEST_MERCHANT_KEYS" in _error(response, 401, "orders_not_configured")


def test_malformed_key_settings_fail_at_start_without_printing_keys() -> None:
    for bad in ("shop-a", "Shop A:k1", "shop-a:", "shop-a:same,shop-b:same"):
        with pytest.raises(ValueError, match="SUIVI_INGEST_MERCHANT_KEYS") as raised:
            make_app(FakeOrderPublisher(), merchant_keys=bad)
        assert "same" not in str(raised.value).replace("'shop-", "")
        assert "k1" not in str(raised.value)


@pytest.mark.parametrize("named", ["shop-b", "someone-else", 42])
async def test_a_body_naming_another_merchant_is_403(
    client: httpx.AsyncClient, orders: FakeOrderPublisher, named: object
) -> None:
    order = {**ORDER, "merchant_id": named}
    response = await client.post(URL, content=_body(order), headers=bearer("key-a-new"))
    assert "merchant" in _error(response, 403, "merchant_mismatch")
    assert orders.published == []


async def test_a_body_naming_its_own_merchant_is_fine(
    client: httpx.AsyncClient, orders: FakeOrderPublisher
) -> None:
    for named in ("shop-a", "Shop-A "):
        order = {**ORDER, "merchant_id": named}
        response = await client.post(URL, content=_body(order), headers=bearer("key-a-old"))
        assert response.status_code == 202, response.text


def _mutated(path: str, value: Any) -> dict[str, Any]:
    """ORDER with `value` at `path` (dots and [i]); the sentinel ... deletes."""
    order = copy.deepcopy(ORDER)
    node: Any = order
    parts = path.replace("[", ".").replace("]", "").split(".")
    for part in parts[:-1]:
        node = node[int(part)] if part.isdigit() else node[part]
    last: Any = int(parts[-1]) if parts[-1].isdigit() else parts[-1]
    if value is ...:
        del node[last]
    else:
        node[last] = value
    return order


@pytest.mark.parametrize(
    ("path", "value", "says"),
    [
        ("order_number", ..., "order_number: is required"),
        ("order_number", "", "order_number: String should have at least 1 character"),
        ("order_number", "x" * 65, "order_number: String should have at most 64 characters"),
        ("order_number", "A\u00001", "order_number: must not contain control characters"),
        ("placed_at", "2026-11-02T09:14:03", "placed_at: Input should have timezone info"),
        ("placed_at", "yesterday", "placed_at: Input should be a valid datetime"),
        ("updated_at", "2026-11-01T00:00:00Z", "updated_at: is before placed_at"),
        ("updated_at", "2026-11-02T11:06:00Z", "updated_at: is more than 300 s ahead"),
        ("customer.email", "zoe@", "customer.email: value is not a valid email address"),
        ("customer.phone", "06 12 34 56 78", "customer.phone: must be an E.164 phone number"),
        ("customer.locale", "français", "customer.locale: must be a language code"),
        ("customer.timezone", "Europe/Besancon", "customer.timezone: must be an IANA time zone"),
        ("customer.timezone", "../../etc/passwd", "customer.timezone: must be an IANA time zone"),
        ("customer.timezone", "localtime", "customer.timezone: must be an IANA time zone"),
        ("customer.name", "Zo\u202eë", "customer.name: must not contain control characters"),
        ("customer.nickname", "Zozo", "customer.nickname: unknown field"),
        ("notifications.sms", "yes", "notifications.sms: Input should be a valid boolean"),
        ("shipping_address.country", "France", "shipping_address.country: country must be"),
        ("line_items[0].quantity", 0, "line_items[0].quantity: Input should be greater than"),
        ("line_items[0].quantity", 1.5, "line_items[0].quantity: Input should be a valid integer"),
        ("line_items[1].line_item_id", "L1", "line_items[1].line_item_id: repeats line_items[0]"),
        ("line_items[0].image_url", "ftp://x/y.png", "line_items[0].image_url: must be an http"),
        ("shipments[0].carrier", "--", "shipments[0].carrier: must name a carrier"),
        ("shipments[0].tracking_number", "   ", "shipments[0].tracking_number: String should"),
        ("shipments[0].tracking_number", "1Z 99\u00e9", "shipments[0].tracking_number: must be"),
        # Issue 12: control characters in identifiers reach no topic (PostgreSQL refuses NUL).
        ("shipments[0].tracking_number", "1Z999\u0000AA1", "shipments[0].tracking_number: must"),
        ("line_items[0].sku", "T-\u00001", "line_items[0].sku: must not contain control"),
        ("line_items[0].sku", "T-\u200b1", "line_items[0].sku: must not contain control"),
        ("shipping_address.postal_code", "25\u0000000", "shipping_address.postal_code: must not"),
        ("shipments[0].state", "lost", "shipments[0].state: Input should be 'active' or"),
        ("shipments[0].trackingNumber", "1Z", "shipments[0].trackingNumber: unknown field"),
        ("shipments[0].shipped_at", "2026-11-02", "shipments[0].shipped_at: Input should"),
        (
            "shipments[0].items[0].line_item_id",
            "L9",
            "shipments[0].items[0].line_item_id: is not one of the order's line_items",
        ),
        (
            "shipments[1]",
            {"carrier": "ups", "tracking_number": "1Z999AA10123456784"},
            "shipments[1]: same carrier and tracking number as shipments[0]",
        ),
    ],
)
async def test_invalid_fields_are_400_naming_the_field(
    client: httpx.AsyncClient, orders: FakeOrderPublisher, path: str, value: Any, says: str
) -> None:
    response = await client.post(URL, content=_body(_mutated(path, value)), headers=bearer("key-b"))
    detail = _error(response, 400, "invalid_order")
    assert detail.startswith(says), detail
    if isinstance(value, str) and len(value) > 3:
        assert value not in detail  # the submitted value is never echoed
    assert orders.published == []


async def test_several_errors_are_listed(client: httpx.AsyncClient) -> None:
    order = _mutated("customer.phone", "0612")
    order["customer"]["timezone"] = "Mars/Olympus"
    del order["placed_at"]
    response = await client.post(URL, content=_body(order), headers=bearer("key-b"))
    detail = _error(response, 400, "invalid_order")
    assert "placed_at: is required" in detail
    assert "customer.phone" in detail and "customer.timezone" in detail


@pytest.mark.parametrize(
    ("body", "error"),
    [
        (b'{"order_number": ', "malformed_json"),
        (b"[]", "not_an_object"),
        (b"\xff", "invalid_encoding"),
    ],
)
async def test_bodies_that_are_not_json_objects_are_400(
    client: httpx.AsyncClient, body: bytes, error: str
) -> None:
    _error(await client.post(URL, content=body, headers=bearer("key-b")), 400, error)


async def test_content_type_and_size(orders: FakeOrderPublisher) -> None:
    async with _client(make_app(orders, max_body_bytes=64)) as c:
        headers = {**bearer("key-b"), "Content-Type": "text/plain"}
        _error(await c.post(URL, content=_body(), headers=headers), 415, "unsupported_media_type")
        _error(
            await c.post(URL, content=_body(), headers=bearer("key-b")), 413, "payload_too_large"
        )


@pytest.mark.parametrize("failure", [ConnectionError("down"), RuntimeError("kafka said no")])
async def test_kafka_down_is_503_with_retry_after(
    client: httpx.AsyncClient, orders: FakeOrderPublisher, failure: Exception
) -> None:
    orders.failure = failure
    response = await client.post(URL, content=_body(), headers=bearer("key-a-new"))
    _error(response, 503, "kafka_unavailable")
    assert response.headers["retry-after"] == "30"


async def test_kafka_too_slow_is_503_with_retry_after(
    client: httpx.AsyncClient, orders: FakeOrderPublisher
) -> None:
    orders.delay = 5.0
    response = await client.post(URL, content=_body(), headers=bearer("key-a-new"))
    assert "0.2 s" in _error(response, 503, "publish_timeout")
    assert response.headers["retry-after"] == "30"


async def test_metrics_and_logs_carry_no_personal_data(
    client: httpx.AsyncClient,
    orders: FakeOrderPublisher,
    caplog: pytest.LogCaptureFixture,
    registry: CollectorRegistry,
) -> None:
    caplog.set_level(logging.INFO, logger="suivi_ingest")
    await client.post(URL, content=_body(), headers=bearer("key-a-new"))
    await client.post(URL, content=_body(), headers=bearer("nope"))
    bad_phone = _mutated("customer.phone", "06 12 34 56 78")
    await client.post(URL, content=_body(bad_phone), headers=bearer("key-a-new"))
    orders.failure = RuntimeError("down")
    await client.post(URL, content=_body(), headers=bearer("key-a-new"))

    text = generate_latest(registry).decode()
    assert 'suivi_ingest_order_requests_total{code="202",source="api"} 1.0' in text
    assert 'suivi_ingest_order_requests_total{code="401",source="api"} 1.0' in text
    assert 'suivi_ingest_order_requests_total{code="400",source="api"} 1.0' in text
    assert 'suivi_ingest_order_requests_total{code="503",source="api"} 1.0' in text
    assert 'suivi_ingest_order_auth_failures_total{source="api"} 1.0' in text
    assert 'suivi_ingest_order_publish_failures_total{source="api"} 1.0' in text
    assert "suivi_ingest_order_publish_duration_seconds_count 1.0" in text
    assert "customer.phone" in caplog.text  # which field failed …
    for personal in ("06 12", "zoe.lefevre", "Lefèvre", "Besançon", "A-1001", "nope", "key-a"):
        assert personal not in text
        assert personal not in caplog.text  # … never what was in it


async def test_openapi_documents_the_order_route(client: httpx.AsyncClient) -> None:
    spec = (await client.get("/openapi.json")).json()
    post = spec["paths"][URL]["post"]
    assert set(post["responses"]) == {"202", "400", "401", "403", "413", "415", "503"}
    assert "OrderIn" in json.dumps(post["requestBody"])
    assert spec["components"]["securitySchemes"]["HTTPBearer"]["scheme"] == "bearer"
    assert "Retry-After" in post["responses"]["503"]["headers"]
    assert "/v1/webhooks/{provider}" in spec["paths"]


async def test_wrong_method_and_no_order_publisher() -> None:
    async with _client(make_app(FakeOrderPublisher())) as c:
        _error(await c.get(URL), 405, "method_not_allowed")
    settings = IngestSettings.model_validate({"merchant_keys": KEYS})
    async with _client(create_app(settings, FakePublisher())) as c:
        _error(await c.post(URL, content=_body(), headers=bearer("key-b")), 404, "not_found")


def test_kind_defaults_to_snapshot_for_plain_order_events() -> None:
    assert OrderEvent.model_fields["kind"].default is OrderEventKind.SNAPSHOT
