"""Shopify webhooks: HMAC, shop mapping, payload → order events (fixtures written from the
Order and Fulfillment resources of Shopify's docs), and the HTTP route."""

from __future__ import annotations

import base64
import copy
import hashlib
import hmac
import itertools
import json
import pathlib
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from prometheus_client import CollectorRegistry, generate_latest

from suivi_ingest.app import create_app
from suivi_ingest.orders.shopify.auth import parse_shops, shopify_keys, verify_shopify
from suivi_ingest.orders.shopify.mapping import map_fulfillment, map_order, map_webhook
from suivi_ingest.orders.shopify.values import ShopifyPayloadError
from suivi_ingest.settings import IngestSettings
from suivi_ingest.testing.fakes import FakeOrderPublisher, FakePublisher
from suivi_ingest.testing.signers import shopify_headers
from suivi_ingest.webhooks.signatures import SignatureError
from suivi_schemas.order_state import OrderState
from suivi_schemas.orders import OrderEvent, OrderEventKind

FIXTURES = pathlib.Path(__file__).parents[2] / "fixtures" / "shopify"
SECRET = "shpss_0123456789abcdef"
SHOP = "atelier-comtois.myshopify.com"
URL = "/v1/webhooks/shopify"


def fixture(name: str) -> dict[str, Any]:
    payload: dict[str, Any] = json.loads((FIXTURES / f"{name}.json").read_text("utf-8"))
    return payload


def raw(name: str) -> bytes:
    return (FIXTURES / f"{name}.json").read_bytes()


# --- verification -----------------------------------------------------------------------------


def _sign(body: bytes, secret: str) -> str:
    return base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode()


def test_a_good_signature_verifies_with_any_configured_secret() -> None:
    body = raw("orders_create")
    keys = shopify_keys(["shpss_new", SECRET])
    verify_shopify(body, _sign(body, SECRET), keys)
    verify_shopify(body, _sign(body, "shpss_new"), keys)


@pytest.mark.parametrize(
    ("header", "says"),
    [
        (None, "missing X-Shopify-Hmac-SHA256"),
        ("  ", "missing X-Shopify-Hmac-SHA256"),
        ("not base64!", "not base64"),
        ("é", "not base64"),
        ("A" * 5000, "too long"),
        (_sign(b"{}", SECRET), "does not match"),
        (_sign(raw("orders_create"), "shpss_other"), "does not match"),
        (hashlib.sha256(b"x").hexdigest(), "does not match"),  # hex is not what Shopify sends
    ],
)
def test_bad_signatures_are_refused(header: str | None, says: str) -> None:
    with pytest.raises(SignatureError, match=says):
        verify_shopify(raw("orders_create"), header, shopify_keys([SECRET]))


def test_a_single_changed_byte_breaks_the_signature() -> None:
    body = raw("orders_create")
    header = _sign(body, SECRET)
    with pytest.raises(SignatureError):
        verify_shopify(body.replace(b"Zo\xc3\xab", b"Zoe"), header, shopify_keys([SECRET]))


def test_shop_mapping_setting() -> None:
    assert parse_shops(" A.myshopify.com:Shop-A , b.myshopify.com:shop-b ,") == {
        "a.myshopify.com": "shop-a",
        "b.myshopify.com": "shop-b",
    }
    assert parse_shops("") == {}
    for bad in ("a.myshopify.com", ":shop-a", "a.myshopify.com:shop a", "a:x,a:y"):
        with pytest.raises(ValueError, match="SUIVI_INGEST_SHOPIFY_SHOPS"):
            parse_shops(bad)


# --- mapping ------------------------------------------------------------------------------------


def test_orders_create_gives_the_whole_order() -> None:
    event = map_webhook("orders/create", fixture("orders_create"), "shop-a", "wh-1")
    assert (event.kind, event.source, event.key) == ("snapshot", "shopify", "shop-a:#1001")
    assert event.delivery_id == "wh-1"
    assert event.placed_at == datetime(2026, 11, 2, 8, 14, 3, tzinfo=UTC)
    assert event.updated_at == datetime(2026, 11, 2, 8, 14, 5, tzinfo=UTC)
    assert not event.cancelled
    assert event.customer.model_dump() == {
        "email": "zoe.lefevre@example.fr",
        "phone": "+33612345678",  # the customer's; the addresses' national numbers are not E.164
        "name": "Zoë Lefèvre",
        "locale": "fr",
        "timezone": "UTC",  # Shopify does not say
    }
    address = event.shipping_address
    assert address is not None
    assert address.model_dump() == {
        "name": "Zoë Lefèvre",
        "line1": "12 rue des Granges",
        "line2": "Bâtiment B, 3e étage",
        "city": "Besançon",
        "postal_code": "25000",
        "region": "Doubs",
        "country": "FR",
    }
    assert [(i.line_item_id, i.title, i.quantity, i.sku) for i in event.line_items] == [
        ("14688971493691", "Tasse émaillée « Doubs »", 2, "TASSE-BLEU"),
        ("14688971526459", "Carnet de voyage ☕ 北京", 1, None),
    ]
    assert event.shipments == ()


def test_a_fulfillment_gives_its_parcels_for_the_order_named_by_it() -> None:
    event = map_webhook("fulfillments/create", fixture("fulfillments_create"), "shop-a", "wh-2")
    assert (event.kind, event.fulfillment_id, event.key) == (
        "fulfillment",
        "4856930009147",
        "shop-a:#1001",  # the same key as the order: same partition, same read model row
    )
    [parcel] = event.shipments
    assert (parcel.key, parcel.state, parcel.fulfillment_id) == (
        "ups:1Z999AA10123456784",
        "active",
        "4856930009147",
    )
    assert [(i.line_item_id, i.quantity) for i in parcel.items] == [("14688971493691", 2)]
    assert parcel.shipped_at == datetime(2026, 11, 3, 15, 40, 12, tzinfo=UTC)
    assert event.line_items == () and event.customer.email is None  # nothing but the parcels


def test_a_cancelled_fulfillment_cancels_its_parcels() -> None:
    created = map_webhook("fulfillments/create", fixture("fulfillments_create"), "shop-a", None)
    event = map_webhook(
        "fulfillments/update", fixture("fulfillments_update_cancelled"), "shop-a", None
    )
    assert [s.state for s in event.shipments] == ["cancelled"]
    assert event.updated_at > created.updated_at and event.event_id != created.event_id


def test_one_parcel_per_tracking_number() -> None:
    event = map_fulfillment(fixture("fulfillments_create_two_parcels"), "shop-a")
    assert [s.key for s in event.shipments] == ["dhl:JD014600003828", "dhl:JD014600003829"]
    assert all(s.items[0].line_item_id == "14688971526459" for s in event.shipments)


def test_orders_updated_lists_every_fulfilment() -> None:
    event = map_order(fixture("orders_updated"), "shop-a")
    assert [(s.key, s.state, s.fulfillment_id) for s in event.shipments] == [
        ("ups:1Z999AA10123456784", "cancelled", "4856930009147"),
        ("dhl:JD014600003828", "active", "4856930041915"),
        ("dhl:JD014600003829", "active", "4856930041915"),
    ]


def test_the_order_ends_right_whichever_webhook_arrives_first() -> None:
    deliveries = [
        ("orders/create", "orders_create"),
        ("fulfillments/create", "fulfillments_create"),
        ("fulfillments/update", "fulfillments_update_cancelled"),
        ("fulfillments/create", "fulfillments_create_two_parcels"),
        ("orders/updated", "orders_updated"),
    ]
    events = [map_webhook(t, fixture(f), "shop-a", None) for t, f in deliveries]

    def merged(order: tuple[OrderEvent, ...]) -> Any:
        state = OrderState()
        for event in order:
            state = state.apply(event)
        view = state.merge()
        assert view is not None
        return (view.customer.name, sorted((s.key, s.state) for s in view.shipments))

    results = {repr(merged(p)) for p in itertools.permutations(events)}
    assert results == {
        repr(
            (
                "Zoë Lefèvre",
                [
                    ("dhl:JD014600003828", "active"),
                    ("dhl:JD014600003829", "active"),
                    ("ups:1Z999AA10123456784", "cancelled"),
                ],
            )
        )
    }
    # Without orders/updated: the fulfilment that came before its order is still there.
    early = merged((events[1], events[0]))
    assert early == ("Zoë Lefèvre", [("ups:1Z999AA10123456784", "active")])


def test_orders_cancelled() -> None:
    order = fixture("orders_create")
    order.update(cancelled_at="2026-11-02T11:00:00+01:00", updated_at="2026-11-02T11:00:00+01:00")
    assert map_webhook("orders/cancelled", order, "shop-a", None).cancelled


def test_shopify_data_suivi_cannot_use_is_dropped_not_refused() -> None:
    order = fixture("orders_create")
    order["customer"].update(phone="(555) 625-1199", email="not-an-email")
    order.update(email=None, contact_email="", customer_locale="1337", phone="555")
    order["shipping_address"].update(country_code="XK1", name=None)
    order["line_items"][1]["current_quantity"] = 0  # removed by an order edit
    event = map_order(order, "shop-a")
    assert (event.customer.email, event.customer.phone, event.customer.locale) == (None, None, "en")
    assert event.shipping_address is not None
    assert event.shipping_address.country is None
    assert event.shipping_address.name == "Zoë Lefèvre"  # from first and last names
    assert [i.line_item_id for i in event.line_items] == ["14688971493691"]


@pytest.mark.parametrize(
    ("locale", "expected"), [("pt-BR", "pt-BR"), ("es-419", "es"), ("zh-CN", "zh-CN"), (7, "en")]
)
def test_customer_locales(locale: object, expected: str) -> None:
    order = fixture("orders_create")
    order["customer_locale"] = locale
    assert map_order(order, "shop-a").customer.locale == expected


@pytest.mark.parametrize(
    ("company", "urls", "carrier"),
    [
        ("UPS", [], "ups"),
        ("Canada Post", [], "canada-post"),
        ("Colissimo", [], "laposte"),  # keyed as La Poste, like every adapter does
        (None, ["https://www.laposte.fr/outils/suivre-vos-envois?code=6A123"], "laposte"),
        ("Other", ["https://tools.usps.com/go/TrackConfirmAction?tLabels=9400"], "usps"),
        ("Other", ["https://track.example.com/9400"], "unknown"),
        ("Transports Dupont & Fils", [], "transports-dupont-fils"),
    ],
)
def test_carriers(company: str | None, urls: list[str], carrier: str) -> None:
    fulfillment = fixture("fulfillments_create")
    fulfillment.update(tracking_company=company, tracking_urls=urls, tracking_url=None)
    assert map_fulfillment(fulfillment, "shop-a").shipments[0].carrier == carrier


def test_a_fulfilment_without_tracking_numbers_has_no_parcels() -> None:
    fulfillment = fixture("fulfillments_create")
    fulfillment.update(tracking_number=None, tracking_numbers=[], tracking_urls=[])
    event = map_fulfillment(fulfillment, "shop-a")
    assert event.shipments == () and event.kind is OrderEventKind.FULFILLMENT


def test_wrapped_resources_are_read_too() -> None:
    wrapped = {"fulfillment": fixture("fulfillments_create")}
    assert map_webhook("fulfillments/create", wrapped, "shop-a", None).shipments
    assert map_webhook("orders/create", {"order": fixture("orders_create")}, "shop-a", None)


@pytest.mark.parametrize(
    ("name", "mutate", "says"),
    [
        ("orders_create", {"name": None}, "name: the order's name"),
        ("orders_create", {"created_at": None}, "created_at: is required"),
        ("orders_create", {"updated_at": "2026-11-02 09:14"}, "updated_at: must be an ISO 8601"),
        ("orders_create", {"name": "#" + "9" * 70}, "order_number: String should have at most"),
        ("fulfillments_create", {"name": "1001"}, "name: is not '<order name>.<n>'"),
        ("fulfillments_create", {"id": None}, "id: the fulfillment's id is required"),
    ],
)
def test_what_identifies_the_order_is_required(
    name: str, mutate: dict[str, Any], says: str
) -> None:
    payload = fixture(name)
    payload.update(mutate)
    topic = "orders/create" if name.startswith("orders") else "fulfillments/create"
    with pytest.raises(ShopifyPayloadError, match=says.replace("(", r"\(")):
        map_webhook(topic, payload, "shop-a", None)


def test_event_ids_are_the_same_for_the_same_content_only() -> None:
    first = map_order(fixture("orders_create"), "shop-a", "wh-1")
    retried = map_order(fixture("orders_create"), "shop-a", "wh-1-again")
    assert first.event_id == retried.event_id  # the delivery id is not part of it
    changed = fixture("orders_create")
    changed["shipping_address"]["address2"] = None  # same updated_at, different state
    assert map_order(changed, "shop-a").event_id != first.event_id
    assert map_order(fixture("orders_create"), "shop-b").event_id != first.event_id


# --- HTTP ---------------------------------------------------------------------------------------


def make_app(
    orders: FakeOrderPublisher, registry: CollectorRegistry | None = None, **overrides: object
) -> FastAPI:
    values: dict[str, object] = {
        "shopify_secret": f"shpss_new,{SECRET}",
        "shopify_shops": f"{SHOP}:shop-a",
        "publish_timeout_seconds": 0.2,
    }
    values.update(overrides)
    settings = IngestSettings.model_validate(values)
    return create_app(settings, FakePublisher(), registry=registry, orders=orders)


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


def signed(
    name: str, topic: str, webhook_id: str | None = None, secret: str = SECRET, shop: str = SHOP
) -> tuple[bytes, dict[str, str]]:
    body = raw(name)
    return body, shopify_headers(body, secret, topic=topic, shop=shop, webhook_id=webhook_id)


def _error(response: httpx.Response, status: int, error: str) -> str:
    assert response.status_code == status, response.text
    body = response.json()
    assert body["error"] == error
    detail: str = body["detail"]
    return detail


async def test_an_order_webhook_is_published_keyed_by_order(
    client: httpx.AsyncClient, orders: FakeOrderPublisher
) -> None:
    body, headers = signed("orders_create", "orders/create", "b54557e4-c249-4b8c")
    response = await client.post(URL, content=body, headers=headers)
    assert response.status_code == 202, response.text
    [(event, key)] = orders.published
    assert response.json() == {"event_id": str(event.event_id), "status": "accepted"}
    assert key == "shop-a:#1001"
    assert isinstance(event, OrderEvent)
    assert event.delivery_id == "b54557e4-c249-4b8c"
    assert event.customer.name == "Zoë Lefèvre"


async def test_a_fulfillment_webhook_is_published_on_the_orders_key(
    client: httpx.AsyncClient, orders: FakeOrderPublisher
) -> None:
    body, headers = signed("fulfillments_create", "fulfillments/create", "wh-f1")
    assert (await client.post(URL, content=body, headers=headers)).status_code == 202
    [(event, key)] = orders.published
    assert isinstance(event, OrderEvent)
    assert (key, event.kind, event.fulfillment_id) == (
        "shop-a:#1001",
        "fulfillment",
        "4856930009147",
    )


async def test_a_retried_delivery_is_not_published_twice(
    client: httpx.AsyncClient, orders: FakeOrderPublisher, registry: CollectorRegistry
) -> None:
    body, headers = signed("orders_create", "orders/create", "wh-1")
    answers = [await client.post(URL, content=body, headers=headers) for _ in range(3)]
    assert [a.status_code for a in answers] == [202] * 3
    assert len({a.json()["event_id"] for a in answers}) == 1
    assert len(orders.published) == 1
    # Another delivery of the same state (another subscription, or no webhook id): republished,
    # with the same event id, which consumers deduplicate.
    body, headers = signed("orders_create", "orders/updated", "wh-2")
    again = await client.post(URL, content=body, headers=headers)
    assert again.json()["event_id"] == answers[0].json()["event_id"]
    assert len(orders.published) == 2
    text = generate_latest(registry).decode()
    assert (
        'suivi_ingest_shopify_webhooks_total{outcome="duplicate",topic="orders/create"} 2.0' in text
    )


async def test_the_rotated_secret_is_accepted(client: httpx.AsyncClient) -> None:
    body, headers = signed("orders_create", "orders/create", secret="shpss_new")
    assert (await client.post(URL, content=body, headers=headers)).status_code == 202


@pytest.mark.parametrize(
    ("header", "says"),
    [(None, "missing"), ("bm9wZQ==", "does not match"), ("%%%", "not base64")],
)
async def test_bad_signatures_are_401(
    client: httpx.AsyncClient, orders: FakeOrderPublisher, header: str | None, says: str
) -> None:
    body, headers = signed("orders_create", "orders/create")
    del headers["X-Shopify-Hmac-SHA256"]
    if header is not None:
        headers["X-Shopify-Hmac-SHA256"] = header
    assert says in _error(
        await client.post(URL, content=body, headers=headers), 401, "invalid_signature"
    )
    assert orders.published == []


async def test_signed_with_another_secret_is_401(client: httpx.AsyncClient) -> None:
    body, headers = signed("orders_create", "orders/create", secret="shpss_attacker")
    _error(await client.post(URL, content=body, headers=headers), 401, "invalid_signature")


async def test_the_signature_is_checked_before_anything_in_the_body_or_headers(
    client: httpx.AsyncClient,
) -> None:
    response = await client.post(
        URL, content=b"{nope", headers={"content-type": "application/json"}
    )
    _error(response, 401, "invalid_signature")


async def test_unconfigured_shopify_refuses_everything(orders: FakeOrderPublisher) -> None:
    body, headers = signed("orders_create", "orders/create")
    async with _client(make_app(orders, shopify_secret=None)) as c:
        response = await c.post(URL, content=body, headers=headers)
    assert "not configured" in _error(response, 401, "provider_not_configured")


async def test_an_unmapped_shop_is_403(client: httpx.AsyncClient) -> None:
    body, headers = signed("orders_create", "orders/create", shop="other.myshopify.com")
    detail = _error(await client.post(URL, content=body, headers=headers), 403, "unknown_shop")
    assert "other.myshopify.com" in detail and "SUIVI_INGEST_SHOPIFY_SHOPS" in detail


@pytest.mark.parametrize(
    ("header", "error"),
    [("X-Shopify-Topic", "missing_topic"), ("X-Shopify-Shop-Domain", "missing_shop")],
)
async def test_missing_shopify_headers_are_400(
    client: httpx.AsyncClient, header: str, error: str
) -> None:
    body, headers = signed("orders_create", "orders/create")
    del headers[header]
    _error(await client.post(URL, content=body, headers=headers), 400, error)


async def test_topics_suivi_does_not_use_are_acknowledged_and_ignored(
    client: httpx.AsyncClient, orders: FakeOrderPublisher, registry: CollectorRegistry
) -> None:
    body, headers = signed("orders_create", "products/update")
    response = await client.post(URL, content=body, headers=headers)
    assert response.status_code == 200
    assert response.json()["status"] == "ignored"
    assert orders.published == []
    text = generate_latest(registry).decode()
    assert 'suivi_ingest_shopify_webhooks_total{outcome="ignored",topic="other"} 1.0' in text


async def test_a_payload_without_an_order_name_is_400(client: httpx.AsyncClient) -> None:
    payload = fixture("fulfillments_create")
    payload["name"] = None
    body = json.dumps(payload).encode()
    headers = shopify_headers(body, SECRET, topic="fulfillments/update", shop=SHOP)
    detail = _error(await client.post(URL, content=body, headers=headers), 400, "invalid_payload")
    assert detail.startswith("name:")


async def test_malformed_json_is_400(client: httpx.AsyncClient) -> None:
    body = b'{"id": 1,'
    headers = shopify_headers(body, SECRET, topic="orders/create", shop=SHOP)
    _error(await client.post(URL, content=body, headers=headers), 400, "malformed_json")


async def test_kafka_down_is_503_and_the_retry_is_published(
    client: httpx.AsyncClient, orders: FakeOrderPublisher
) -> None:
    body, headers = signed("fulfillments_create", "fulfillments/create", "wh-9")
    orders.failure = ConnectionError("down")
    response = await client.post(URL, content=body, headers=headers)
    _error(response, 503, "kafka_unavailable")
    assert response.headers["retry-after"] == "30"
    orders.failure = None
    assert (await client.post(URL, content=body, headers=headers)).status_code == 202
    assert len(orders.published) == 1


async def test_content_type_and_size(orders: FakeOrderPublisher) -> None:
    body, headers = signed("orders_create", "orders/create")
    async with _client(make_app(orders, max_body_bytes=100)) as c:
        _error(await c.post(URL, content=body, headers=headers), 413, "payload_too_large")
        headers["Content-Type"] = "application/xml"
        _error(await c.post(URL, content=body, headers=headers), 415, "unsupported_media_type")


async def test_metrics_and_logs_stay_free_of_personal_data(
    client: httpx.AsyncClient, caplog: pytest.LogCaptureFixture, registry: CollectorRegistry
) -> None:
    caplog.set_level("INFO", logger="suivi_ingest")
    for name, topic in (("orders_create", "orders/create"), ("fulfillments_create", "x/y")):
        body, headers = signed(name, topic)
        await client.post(URL, content=body, headers=headers)
    bad = copy.deepcopy(fixture("orders_create"))
    bad["created_at"] = None
    body = json.dumps(bad).encode()
    await client.post(
        URL, content=body, headers=shopify_headers(body, SECRET, topic="orders/create", shop=SHOP)
    )
    text = generate_latest(registry).decode()
    assert 'suivi_ingest_order_requests_total{code="202",source="shopify"} 1.0' in text
    assert 'suivi_ingest_order_requests_total{code="200",source="shopify"} 1.0' in text
    assert 'suivi_ingest_order_requests_total{code="400",source="shopify"} 1.0' in text
    assert "created_at" in caplog.text
    for personal in ("zoe.lefevre", "Lefèvre", "Besançon", "1Z999", "x/y"):
        assert personal not in text and personal not in caplog.text


async def test_the_route_is_served_ahead_of_the_provider_webhooks(
    client: httpx.AsyncClient,
) -> None:
    spec = (await client.get("/openapi.json")).json()
    post = spec["paths"][URL]["post"]
    assert set(post["responses"]) == {"200", "202", "400", "401", "403", "413", "415", "503"}
    headers = {p["name"] for p in post["parameters"] if p["in"] == "header"}
    assert {"x-shopify-topic", "x-shopify-hmac-sha256", "x-shopify-shop-domain"} <= headers
    body, signed_headers = signed("orders_create", "orders/create")
    response = await client.post(URL, content=body, headers=signed_headers)
    assert response.status_code == 202  # not 404 unknown_provider
