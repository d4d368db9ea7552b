"""Lookup for real shoppers: a shop's own URL with its name, a picker, order numbers however
typed, tracking numbers, and still one answer for an unknown order and a wrong email."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import AsyncIterator
from html import unescape

import httpx
import pytest

from suivi_projections.query.live import LiveHub
from suivi_projections.testing.browser import asgi_client
from suivi_projections.testing.fakes import PII, FakeReadModel, sample_order
from suivi_projections.web.app import create_api
from suivi_projections.web.settings import ApiSettings

URL = "/v1/order-lookup"
FORM = {"content-type": "application/x-www-form-urlencoded"}
NAMES = {"atelier": "Atelier Comtois", "shop-a": "Boutique Lumière"}


@pytest.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    order = sample_order(merchant_id="atelier", order_number="AC-1042")
    fake = FakeReadModel(order, dataclasses.replace(sample_order(), merchant_id="shop-a"))
    settings = ApiSettings(merchant_names=NAMES, lookup_per_order_email=50, lookup_per_ip=50)
    async with asgi_client(create_api(settings, fake, LiveHub())) as c:
        yield c


def text(html: str) -> str:
    html = re.sub(r"<(style|script)\b.*?</\1>", " ", html, flags=re.S)
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


async def test_a_shops_own_lookup_url_names_the_shop_not_its_id(client: httpx.AsyncClient) -> None:
    page = await client.get("/lookup/atelier")
    assert page.status_code == 200
    assert "Track your order from Atelier Comtois" in text(page.text)
    assert 'name="merchant_id" value="atelier"' in page.text  # hidden: nothing to type
    assert (await client.get("/m/atelier/lookup")).text.count("Atelier Comtois") >= 1


async def test_the_general_form_offers_a_picker_of_shop_names(client: httpx.AsyncClient) -> None:
    page = (await client.get("/lookup")).text
    assert '<select name="merchant_id"' in page
    assert '<option value="atelier">Atelier Comtois</option>' in page


@pytest.mark.parametrize("typed", ["AC-1042", "ac-1042", "#ac-1042", " #AC-1042", "6a12345678901"])
async def test_order_numbers_any_case_with_hash_and_tracking_numbers_find_the_order(
    client: httpx.AsyncClient, typed: str
) -> None:
    body = {"merchant_id": "atelier", "order_number": typed, "email": PII["email"].upper()}
    found = await client.post(URL, json=body)
    assert found.status_code == 200 and found.json() == {
        "status_page": "/orders/st_private_token_0001"
    }
    form = await client.post(URL, data={**body, "fixed": "1"}, headers=FORM)
    assert form.status_code == 303


def strip(response: httpx.Response) -> str:
    """The page without what the shopper typed and the per-response nonce."""
    return re.sub(r'value="[^"]*"|nonce[-=]"?[\w-]+', "", response.text)


async def test_unknown_order_and_wrong_email_answer_identically(client: httpx.AsyncClient) -> None:
    base = {"merchant_id": "atelier", "fixed": "1"}
    wrong_email = await client.post(
        URL, data={**base, "order_number": "#ac-1042", "email": "x@example.org"}, headers=FORM
    )
    unknown = await client.post(
        URL, data={**base, "order_number": "AC-9999", "email": PII["email"]}, headers=FORM
    )
    wrong_tracking = await client.post(
        URL, data={**base, "order_number": "1Z000", "email": PII["email"]}, headers=FORM
    )
    assert wrong_email.status_code == unknown.status_code == wrong_tracking.status_code == 404
    assert strip(wrong_email) == strip(wrong_tracking) == strip(unknown)
    assert "Atelier Comtois" in wrong_email.text  # still the shop's own form


async def test_status_pages_show_the_shops_name(client: httpx.AsyncClient) -> None:
    private = text((await client.get("/orders/st_private_token_0001")).text)
    assert "Atelier Comtois" in private and "· atelier" not in private
