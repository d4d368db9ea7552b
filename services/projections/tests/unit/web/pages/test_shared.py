"""The shareable page never shows personal data: rendered with PII everywhere, grepped."""

from __future__ import annotations

import dataclasses
import inspect
from collections.abc import AsyncIterator

import httpx
import pytest

from suivi_projections.query.live import LiveHub
from suivi_projections.query.views import OrderView
from suivi_projections.testing.browser import asgi_client
from suivi_projections.testing.fakes import PII, FakeReadModel, sample_order
from suivi_projections.web.app import create_api
from suivi_projections.web.pages import build as page_model
from suivi_projections.web.pages import content as page_view
from suivi_projections.web.pages import render as page
from suivi_projections.web.pages.i18n import Translator
from suivi_projections.web.settings import ApiSettings

SHARE = "/s/sh_shared_token_0001"
# Everything personal in the sample order, plus what identifies the private page.
FORBIDDEN = [
    *PII.values(),
    "jeanne",
    "martin",
    "lilas",
    "6A12345678901",  # full tracking numbers: carriers' own pages may show names
    "1Z999AA10123456784",
    "st_private_token_0001",
]


@pytest.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    fake = FakeReadModel(sample_order(), sample_order(order_number="77", locale="fr",
                         token="st_fr_token_00001", share_token="sh_fr_token_00001"))  # fmt: skip
    async with asgi_client(create_api(ApiSettings(), fake, LiveHub())) as c:
        yield c


@pytest.mark.parametrize(
    "path", [SHARE, SHARE + "/fragment", "/s/sh_fr_token_00001", "/s/sh_fr_token_00001/fragment"]
)
async def test_shared_page_and_fragment_hold_no_personal_data(
    client: httpx.AsyncClient, path: str
) -> None:
    response = await client.get(path)
    assert response.status_code == 200
    html = response.text.lower()
    for value in FORBIDDEN:
        assert value.lower() not in html, value
    assert response.headers["referrer-policy"] == "no-referrer"


async def test_shared_page_still_shows_progress_items_and_places(client: httpx.AsyncClient) -> None:
    html = (await client.get(SHARE)).text
    for expected in (
        "Partially delivered",
        'aria-current="step"',
        "Linen shirt, sage",
        "Ceramic mug",
        "Colissimo",
        "•••• 8901",
        "Arrived at a sorting centre",
        "Lyon, FR",
        "Predicted from 42 similar shipments",
        "personal details are hidden",
    ):
        assert expected in html, expected
    assert "Share tracking" not in html  # no share box on the shared page
    assert 'data-live="/s/sh_shared_token_0001"' in html


async def test_shared_live_stream_exists_and_json_has_no_shared_variant(
    client: httpx.AsyncClient,
) -> None:
    assert (await client.get("/s/sh_no_such_share_01/events")).status_code == 404
    assert (await client.get("/v1/orders/sh_shared_token_0001")).status_code == 404


def test_the_shared_render_cannot_receive_personal_data() -> None:
    """Structural guarantee: the shared page is rendered from a PublicOrder alone, and
    PublicOrder (with everything it contains) has no field for personal data."""
    parameters = inspect.signature(page.render_shared).parameters
    assert str(parameters["order"].annotation) == "PublicOrder"
    personal = {"email", "phone", "name", "address", "customer", "payment", "token", "message"}

    def fields(cls: type) -> set[str]:
        names: set[str] = set()
        for field in dataclasses.fields(cls):
            names.add(field.name)
        return names

    for cls in (page_view.PublicOrder, page_view.Parcel, page_view.Event, page_view.Day):
        for name in fields(cls):
            assert not any(word in name for word in personal), (cls.__name__, name)


def test_carrier_text_is_dropped_when_shared_even_if_it_names_the_shopper() -> None:
    order: OrderView = sample_order()
    t = Translator("en")
    shared = page_model.public_order(order, t, shared=True)
    private = page_model.public_order(order, t, shared=False)
    assert all(e.detail is None for p in shared.parcels for d in p.days for e in d.events)
    details = [e.detail for p in private.parcels for d in p.days for e in d.events]
    assert any(d and PII["signed_by"] in d for d in details)
    rendered = page.render_shared(shared, t, share_token="sh_x_token_0001", fragment=False)
    assert PII["signed_by"] not in rendered.body
