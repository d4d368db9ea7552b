"""Merchant analytics over HTTP: keys (Bearer, Basic for the page), ranges, JSON, the page."""

from __future__ import annotations

import base64
from collections.abc import AsyncIterator
from datetime import date, timedelta

import httpx
import pytest
from pydantic import SecretStr

from suivi_projections.query.live import LiveHub
from suivi_projections.testing.analytics import FakeAnalytics
from suivi_projections.testing.browser import asgi_client
from suivi_projections.testing.fakes import FakeReadModel
from suivi_projections.web.analytics import parse_range
from suivi_projections.web.app import create_api
from suivi_projections.web.deps import utc_today
from suivi_projections.web.settings import ApiSettings

KEY_A = "key-a-0123456789abcdef"
KEY_B = "key-b-0123456789abcdef"
A = {"authorization": f"Bearer {KEY_A}"}
MARCH = {"from": "2025-03-01", "to": "2025-03-31"}


def basic(user: str, password: str) -> dict[str, str]:
    return {"authorization": "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()}


def settings() -> ApiSettings:
    return ApiSettings(merchant_keys=SecretStr(f"shop-a:{KEY_A},shop-b:{KEY_B}"))


@pytest.fixture
def source() -> FakeAnalytics:
    return FakeAnalytics()


@pytest.fixture
async def client(source: FakeAnalytics) -> AsyncIterator[httpx.AsyncClient]:
    app = create_api(settings(), FakeReadModel(), LiveHub(), analytics=source)
    async with asgi_client(app) as c:
        yield c


@pytest.mark.parametrize(
    "headers", [{}, {"authorization": "Bearer nope"}, basic("shop-a", KEY_A), {"x": "y"}]
)
async def test_the_json_needs_a_bearer_key(
    client: httpx.AsyncClient, source: FakeAnalytics, headers: dict[str, str]
) -> None:
    response = await client.get("/v1/merchant/analytics", headers=headers)
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"
    assert response.json()["error"] == "unauthorized"
    assert source.calls == []


@pytest.mark.parametrize(
    "headers",
    [{}, basic("shop-a", "wrong-0123456789abcdef"), basic(KEY_A, ""), {"authorization": "Basic !"}],
)
async def test_the_page_challenges_a_browser(
    client: httpx.AsyncClient, source: FakeAnalytics, headers: dict[str, str]
) -> None:
    response = await client.get("/merchant/analytics", headers=headers)
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == 'Basic realm="Suivi merchant"'

    assert source.calls == []


@pytest.mark.parametrize(
    ("params", "problem"),
    [
        ({"from": "2025-03-31", "to": "2025-03-01"}, "'from' (2025-03-31) is after 'to'"),
        ({"from": "2024-01-01", "to": "2025-01-01"}, "spans 367 days; at most 366"),
        ({"from": "2025-3-1", "to": "2025-03-31"}, "'from' is not a date"),
        ({"from": "2025-03-01", "to": "tomorrow"}, "'to' is not a date"),
        ({"from": "2025-02-30"}, "'from' is not a date"),
        ({"from": "2025-W09-1"}, "'from' is not a date"),
    ],
)
async def test_a_bad_range_is_400_naming_the_problem(
    client: httpx.AsyncClient, source: FakeAnalytics, params: dict[str, str], problem: str
) -> None:
    response = await client.get("/v1/merchant/analytics", params=params, headers=A)
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_range"
    assert problem in response.json()["detail"]
    page = await client.get("/merchant/analytics", params=params, headers=A)
    assert page.status_code == 400
    assert page.headers["content-type"].startswith("text/html")
    assert problem.replace("'", "&#39;") in page.text
    assert source.calls == []


async def test_json_shape_and_scope(client: httpx.AsyncClient, source: FakeAnalytics) -> None:
    response = await client.get("/v1/merchant/analytics", params=MARCH, headers=A)
    assert response.status_code == 200
    assert response.headers["cache-control"] == "no-store"
    assert source.calls == [("shop-a", date(2025, 3, 1), date(2025, 3, 31))]
    body = response.json()
    assert (body["merchant_id"], body["first_day"], body["last_day"]) == (
        "shop-a",
        "2025-03-01",
        "2025-03-31",
    )
    assert body["deliveries"] == {
        "deliveries": 7, "median_days": 3.0, "p90_days": 5.4, "with_estimate": 5,
        "without_estimate": 2, "on_time": 3, "on_time_rate": 0.6,
    }  # fmt: skip
    assert body["by_carrier"][0]["carrier"] == "ups" and body["by_carrier"][0]["p90_days"] == 3.7
    assert body["by_region"][1]["region"] == "Île-de-France & co"
    assert body["rates"]["failed_attempt_rate"] == 0.375
    assert body["rates_by_carrier"][0]["exception_rate"] == 0.6667
    assert body["stall_places"][1] == {"city": None, "country": None, "stalls": 1}
    assert body["daily"][1] == {"day": "2025-03-02", "deliveries": 0, "median_days": None}
    as_b = {"authorization": f"Bearer {KEY_B}"}
    await client.get("/v1/merchant/analytics", params=MARCH, headers=as_b)
    assert source.calls[-1][0] == "shop-b"


async def test_the_page_shows_the_figures_and_charts(
    client: httpx.AsyncClient, source: FakeAnalytics
) -> None:
    response = await client.get("/merchant/analytics", params=MARCH, headers=basic("x", KEY_A))
    assert response.status_code == 200
    assert source.calls == [("shop-a", date(2025, 3, 1), date(2025, 3, 31))]
    assert response.headers["cache-control"] == "no-store"
    assert "nonce-" in response.headers["content-security-policy"]
    html = response.text
    assert html.count("<svg") == 4  # per carrier, per day (count, median), stall places
    for figure in ("3.0 d", "5.4 d", "60 % (3/5)", "25 % (2/8)", "38 % (3/8)", "2 without"):
        assert figure in html
    assert 'value="2025-03-01"' in html and 'value="2025-03-31"' in html
    assert "<b>colissimo</b>" not in html and "&lt;b&gt;colissimo&lt;/b&gt;" in html
    assert "FR · Île-de-France &amp; co" in html
    assert "Leipzig, DE" in html and "Unknown place" in html
    assert " style=" not in html  # the CSP allows no inline style attribute


async def test_the_page_takes_a_bearer_key_too(client: httpx.AsyncClient) -> None:
    response = await client.get("/merchant/analytics", params=MARCH, headers=A)
    assert response.status_code == 200 and "Delivery analytics" in response.text


async def test_without_an_analytics_source_both_routes_answer_503() -> None:
    app = create_api(settings(), FakeReadModel(), LiveHub())
    async with asgi_client(app) as client:
        json = await client.get("/v1/merchant/analytics", headers=A)
        page = await client.get("/merchant/analytics", headers=A)
    assert (json.status_code, json.json()["error"]) == (503, "unavailable")
    assert page.status_code == 503 and "not available" in page.text


async def test_the_default_range_is_the_last_30_days(source: FakeAnalytics) -> None:
    app = create_api(settings(), FakeReadModel(), LiveHub(), analytics=source)
    app.dependency_overrides[utc_today] = lambda: date(2025, 4, 10)
    async with asgi_client(app) as client:
        await client.get("/v1/merchant/analytics", headers=A)
        await client.get("/v1/merchant/analytics", params={"to": "2025-03-31"}, headers=A)
        await client.get("/v1/merchant/analytics", params={"from": "2025-04-01"}, headers=A)
        await client.get("/merchant/analytics", params={"from": "", "to": ""}, headers=A)
    assert [call[1:] for call in source.calls] == [
        (date(2025, 3, 12), date(2025, 4, 10)),
        (date(2025, 3, 2), date(2025, 3, 31)),
        (date(2025, 4, 1), date(2025, 4, 10)),
        (date(2025, 3, 12), date(2025, 4, 10)),
    ]


def test_parse_range_limits() -> None:
    today = date(2025, 12, 31)
    assert parse_range("2025-01-01", "2026-01-01", today) == (date(2025, 1, 1), date(2026, 1, 1))
    first, last = parse_range(None, None, today)
    assert last - first == timedelta(days=29)
