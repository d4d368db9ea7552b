"""Merchant API: Bearer keys, each merchant sees only its own orders, cursor pagination."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta

import httpx
import pytest
from pydantic import SecretStr

from suivi_projections.domain.orders import OrderStatus
from suivi_projections.query.live import LiveHub
from suivi_projections.query.views import OrderView, ReadModel
from suivi_projections.testing.browser import asgi_client
from suivi_projections.testing.fakes import FakeReadModel, at, sample_order
from suivi_projections.web.app import create_api
from suivi_projections.web.settings import ApiSettings

KEY_A = "key-a-0123456789abcdef"
KEY_A_NEW = "key-a-rotated-0123456789"
KEY_B = "key-b-0123456789abcdef"
A = {"authorization": f"Bearer {KEY_A}"}
B = {"authorization": f"Bearer {KEY_B}"}


def orders() -> list[OrderView]:
    made = [
        sample_order(
            order_number=f"A{n:03}",
            token=f"st_a_{n:04}_token",
            share_token=f"sh_a_{n:04}_token",
            placed_at=at(1, 9) + timedelta(hours=n),
            status=OrderStatus.NEEDS_ATTENTION if n % 3 == 0 else OrderStatus.IN_TRANSIT,
        )
        for n in range(7)
    ]
    made.append(sample_order(merchant_id="shop-b", order_number="B001", token="st_b_token_0001"))
    return made


@pytest.fixture
def fake() -> FakeReadModel:
    return FakeReadModel(*orders())


@pytest.fixture
async def client(fake: FakeReadModel) -> AsyncIterator[httpx.AsyncClient]:
    keys = f"shop-a:{KEY_A},shop-b:{KEY_B}, shop-a:{KEY_A_NEW}"
    settings = ApiSettings(merchant_keys=SecretStr(keys), merchant_page_limit=50)
    async with asgi_client(create_api(settings, fake, LiveHub())) as c:
        yield c


@pytest.mark.parametrize(
    "headers",
    [{}, {"authorization": "Bearer nope"}, {"authorization": f"Basic {KEY_A}"}, {"x": "y"}],
)
async def test_missing_or_wrong_key_is_401(
    client: httpx.AsyncClient, headers: dict[str, str]
) -> None:
    response = await client.get("/v1/merchant/orders", headers=headers)
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"
    assert response.json()["error"] == "unauthorized"


async def test_order_by_number_with_full_details(client: httpx.AsyncClient) -> None:
    response = await client.get("/v1/merchant/orders/A001", headers=A)
    assert response.status_code == 200
    body = response.json()
    assert body["order_number"] == "A001"
    assert body["customer_email"] == "jeanne.martin@example.org"
    assert [s["tracking_number"] for s in body["shipments"]] == [
        "6A12345678901",
        "1Z999AA10123456784",
    ]
    assert body["shipments"][0]["estimated_delivery"]["source"] == "predicted"
    assert response.headers["cache-control"] == "no-store"


async def test_a_merchant_never_sees_another_merchants_orders(client: httpx.AsyncClient) -> None:
    assert (await client.get("/v1/merchant/orders/B001", headers=A)).status_code == 404
    assert (await client.get("/v1/merchant/orders/A001", headers=B)).status_code == 404
    assert (await client.get("/v1/merchant/orders/B001", headers=B)).status_code == 200
    listed = (await client.get("/v1/merchant/orders", headers=B)).json()
    assert [o["order_number"] for o in listed["orders"]] == ["B001"]


async def test_rotated_keys_both_work(client: httpx.AsyncClient) -> None:
    rotated = {"authorization": f"Bearer {KEY_A_NEW}"}
    assert (await client.get("/v1/merchant/orders/A001", headers=rotated)).status_code == 200


async def test_pages_follow_the_cursor_without_gaps_or_repeats(client: httpx.AsyncClient) -> None:
    seen: list[str] = []
    cursor: str | None = None
    pages = 0
    while True:
        params = {"limit": "3", **({"cursor": cursor} if cursor else {})}
        page = (await client.get("/v1/merchant/orders", params=params, headers=A)).json()
        pages += 1
        seen += [o["order_number"] for o in page["orders"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert pages == 3
    assert seen == [f"A{n:03}" for n in reversed(range(7))]  # newest placed first


async def test_filter_by_aggregate_status(client: httpx.AsyncClient) -> None:
    page = (
        await client.get("/v1/merchant/orders", params={"status": "needs_attention"}, headers=A)
    ).json()
    assert [o["order_number"] for o in page["orders"]] == ["A006", "A003", "A000"]
    assert {o["status"] for o in page["orders"]} == {"needs_attention"}
    bad = await client.get("/v1/merchant/orders", params={"status": "sideways"}, headers=A)
    assert bad.status_code == 400


async def test_bad_cursor_or_limit_is_400(client: httpx.AsyncClient) -> None:
    bad = await client.get("/v1/merchant/orders", params={"cursor": "!!!"}, headers=A)
    assert bad.status_code == 400
    assert bad.json()["error"] == "invalid_cursor"
    assert (await client.get("/v1/merchant/orders?limit=0", headers=A)).status_code == 400


async def test_shipment_by_carrier_and_tracking_number(client: httpx.AsyncClient) -> None:
    found = await client.get("/v1/merchant/shipments/UPS/1z999aa1-0123456784", headers=A)
    assert found.status_code == 200
    assert found.json()["status"] == "delivered"
    assert found.json()["timeline"][0]["substatus"] == "signed"


async def test_shipment_of_another_merchant_is_404(fake: FakeReadModel) -> None:
    only_b = FakeReadModel(sample_order(merchant_id="shop-b", order_number="B1"))
    settings = ApiSettings(merchant_keys=SecretStr(f"shop-a:{KEY_A},shop-b:{KEY_B}"))
    async with asgi_client(create_api(settings, only_b, LiveHub())) as c:
        assert (
            await c.get("/v1/merchant/shipments/ups/1Z999AA10123456784", headers=A)
        ).status_code == 404
        assert (
            await c.get("/v1/merchant/shipments/ups/1Z999AA10123456784", headers=B)
        ).status_code == 200


async def test_shipment_route_fails_closed_without_a_merchant_scoped_query() -> None:
    class Unscoped(FakeReadModel):
        shipment_for_merchant = None  # type: ignore[assignment]

    settings = ApiSettings(merchant_keys=SecretStr(f"shop-a:{KEY_A}"))
    unscoped: ReadModel = Unscoped(sample_order())  # type: ignore[assignment]  # incomplete
    async with asgi_client(create_api(settings, unscoped, LiveHub())) as c:
        response = await c.get("/v1/merchant/shipments/ups/1Z999AA10123456784", headers=A)
    assert response.status_code == 501


@pytest.mark.parametrize("keys", ["shop-a:short", "no-colon-here-but-long-enough", ":x" * 10])
def test_malformed_or_short_keys_stop_the_app_without_quoting_them(keys: str) -> None:
    settings = ApiSettings(merchant_keys=SecretStr(keys))
    with pytest.raises(ValueError, match="entry #1") as error:
        create_api(settings, FakeReadModel(), LiveHub())
    assert keys not in str(error.value) and "short" not in str(error.value)
