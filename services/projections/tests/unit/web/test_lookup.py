"""Shopper lookup: identical answers for unknown orders and wrong emails, rate limits."""

from __future__ import annotations

import hmac
import re
from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import FastAPI
from prometheus_client import CollectorRegistry, generate_latest

from suivi_projections.query.live import LiveHub
from suivi_projections.testing.browser import asgi_client
from suivi_projections.testing.fakes import PII, FakeReadModel, sample_order
from suivi_projections.web.app import create_api
from suivi_projections.web.settings import ApiSettings

URL = "/v1/order-lookup"
FORM = {"content-type": "application/x-www-form-urlencoded"}


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def registry() -> CollectorRegistry:
    return CollectorRegistry()


@pytest.fixture
def app(clock: Clock, registry: CollectorRegistry) -> FastAPI:
    fake = FakeReadModel(sample_order(), sample_order(order_number="2001", token="st_other_0002"))
    settings = ApiSettings(lookup_per_ip=10, lookup_per_order_email=5, lookup_emails_per_order=20)
    return create_api(settings, fake, LiveHub(), registry, clock=clock)


@pytest.fixture
async def client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    async with asgi_client(app) as c:
        yield c


def ask(
    order_number: str = "1042", email: str = PII["email"], merchant: str = "shop-a"
) -> dict[str, str]:
    return {"merchant_id": merchant, "order_number": order_number, "email": email}


async def test_found_answers_the_private_page_and_tolerates_case_and_spaces(
    client: httpx.AsyncClient,
) -> None:
    response = await client.post(URL, json=ask(email="  Jeanne.MARTIN@example.org "))
    assert response.status_code == 200
    assert response.json() == {"status_page": "/orders/st_private_token_0001"}
    assert response.headers["cache-control"] == "no-store"


async def test_unknown_order_and_wrong_email_answer_identically(
    client: httpx.AsyncClient,
) -> None:
    unknown = await client.post(URL, json=ask(order_number="9999"))
    wrong_email = await client.post(URL, json=ask(email="someone.else@example.org"))
    unknown_shop = await client.post(URL, json=ask(merchant="shop-z"))
    assert unknown.status_code == wrong_email.status_code == unknown_shop.status_code == 404
    assert unknown.content == wrong_email.content == unknown_shop.content
    assert unknown.headers == wrong_email.headers
    assert "someone.else" not in wrong_email.text


async def test_form_posts_redirect_or_show_the_same_error_for_both_failures(
    client: httpx.AsyncClient,
) -> None:
    found = await client.post(URL, data=ask(), headers=FORM)
    assert found.status_code == 303
    assert found.headers["location"] == "/orders/st_private_token_0001"

    unknown = await client.post(URL, data=ask(order_number="9999"), headers=FORM)
    wrong = await client.post(
        URL, data=ask(order_number="9999", email="x@example.org"), headers=FORM
    )
    assert unknown.status_code == wrong.status_code == 404
    assert unknown.headers["content-type"].startswith("text/html")
    assert "find an order with this number and email" in unknown.text
    # Same page but for the per-response CSP nonce.
    assert _without_nonce(unknown.text) == _without_nonce(wrong.text)
    assert "x@example.org" not in wrong.text  # the email is never echoed


def _without_nonce(html: str) -> str:
    return re.sub(r'nonce="[^"]+"', "", html)


async def test_unknown_order_still_pays_for_a_constant_time_comparison(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    compared: list[tuple[bytes, bytes]] = []
    real = hmac.compare_digest

    def spy(a: bytes, b: bytes) -> bool:
        compared.append((a, b))
        return real(a, b)

    monkeypatch.setattr(hmac, "compare_digest", spy)
    await client.post(URL, json=ask(order_number="9999"))
    await client.post(URL, json=ask(email="other@example.org"))
    assert len(compared) == 2
    assert all(len(a) == len(b) == 32 for a, b in compared)


async def test_per_ip_limit_answers_429_with_retry_after(
    client: httpx.AsyncClient, clock: Clock
) -> None:
    for n in range(10):
        response = await client.post(URL, json=ask(order_number=f"x{n}"))
        assert response.status_code == 404
    limited = await client.post(URL, json=ask())
    assert limited.status_code == 429
    assert limited.json()["error"] == "rate_limited"
    assert int(limited.headers["retry-after"]) == 60  # 10 per 60 s from the first attempt

    clock.now += 60
    assert (await client.post(URL, json=ask())).status_code == 200


def from_address(app: FastAPI, host: str) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=app, client=(host, 1234))
    return httpx.AsyncClient(transport=transport, base_url="http://t")


async def test_wrong_emails_from_elsewhere_do_not_lock_the_shopper_out(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    for n in range(5):
        async with from_address(app, f"198.51.100.{n}") as other:
            assert (await other.post(URL, json=ask(email="guess@example.org"))).status_code == 404
    assert (await client.post(URL, json=ask())).status_code == 200


async def test_the_same_wrong_email_is_limited_per_order_across_client_addresses(
    app: FastAPI, client: httpx.AsyncClient, registry: CollectorRegistry
) -> None:
    for n in range(5):
        async with from_address(app, f"198.51.100.{n}") as other:
            assert (await other.post(URL, json=ask(email="guess@example.org"))).status_code == 404
    # Unknown order or not, spaces and case aside: this email is out of attempts on this order.
    limited = await client.post(URL, json=ask(email=" GUESS@example.org"))
    assert limited.status_code == 429
    assert int(limited.headers["retry-after"]) == 600  # 5 per 600 s, from the first attempt
    unknown = await client.post(URL, json=ask(order_number="9999", email="guess@example.org"))
    assert unknown.status_code == 404  # another order: its own budget

    form = await client.post(URL, data=ask(email="guess@example.org"), headers=FORM)
    assert form.status_code == 429
    assert "retry-after" in form.headers
    assert "Too many attempts" in form.text

    metrics = generate_latest(registry).decode()
    assert 'suivi_projections_api_rate_limited_total{limit="order_email"} 2.0' in metrics
    assert 'suivi_projections_api_lookups_total{outcome="not_found"} 6.0' in metrics


async def test_many_emails_for_one_order_are_limited_even_slowly_and_from_one_client(
    client: httpx.AsyncClient, clock: Clock
) -> None:
    answers = []
    for n in range(60):
        clock.now += 10  # under the per-client limit (10 a minute)
        answers.append(
            (await client.post(URL, json=ask(email=f"guess{n}@example.org"))).status_code
        )
    assert answers[:20] == [404] * 20
    assert set(answers[20:]) == {429}  # 20 distinct emails an hour per order
    limited = await client.post(URL, json=ask())
    assert limited.status_code == 429  # the order is locked for everyone until the hour ends
    assert int(limited.headers["retry-after"]) == 3600 - 590  # the hour of the first attempt


@pytest.mark.parametrize(
    ("body", "headers", "status"),
    [
        (b'{"merchant_id": "shop-a"}', {"content-type": "application/json"}, 400),
        (b"[1, 2]", {"content-type": "application/json"}, 400),
        (b"not json", {"content-type": "application/json"}, 400),
        (b"merchant_id=shop-a", FORM, 400),
        (b"x" * 5000, {"content-type": "application/json"}, 413),
        (b"merchant_id=shop-a", {"content-type": "text/plain"}, 415),
    ],
)
async def test_malformed_requests(
    client: httpx.AsyncClient, body: bytes, headers: dict[str, str], status: int
) -> None:
    response = await client.post(URL, content=body, headers=headers)
    assert response.status_code == status


async def test_invalid_answer_never_quotes_the_email(client: httpx.AsyncClient) -> None:
    response = await client.post(URL, json={"merchant_id": "shop-a", "email": PII["email"]})
    assert response.status_code == 400
    assert PII["email"] not in response.text


async def test_lookup_forms_render_in_the_browser_language(client: httpx.AsyncClient) -> None:
    english = await client.get("/lookup?merchant=shop-a")
    assert "Track your order" in english.text
    assert 'value="shop-a"' in english.text
    french = await client.get("/m/shop-a/lookup", headers={"accept-language": "fr-FR,fr;q=0.9"})
    assert "Suivre ma commande" in french.text
    assert 'type="hidden" name="merchant_id" value="shop-a"' in french.text
    assert 'action="/v1/order-lookup"' in french.text
    assert 'method="post"' in french.text
