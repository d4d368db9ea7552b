"""The private page links to the shopper's return and claim pages when after-sales serves them
(SUIVI_PROJECTIONS_AFTERSALES_BASE_URL), with the page's own token; the shareable page never."""

from __future__ import annotations

from suivi_projections.query.live import LiveHub
from suivi_projections.testing.browser import asgi_client
from suivi_projections.testing.fakes import FakeReadModel, sample_order
from suivi_projections.web.app import create_api
from suivi_projections.web.settings import ApiSettings

PRIVATE = "/orders/st_private_token_0001"
SHARED = "/s/sh_shared_token_0001"


async def test_links_on_the_private_page_only() -> None:
    settings = ApiSettings(aftersales_base_url="https://returns.example/")
    async with asgi_client(create_api(settings, FakeReadModel(sample_order()), LiveHub())) as c:
        private = (await c.get(PRIVATE + "?lang=fr")).text
        shared = (await c.get(SHARED)).text
    base = "https://returns.example/orders/st_private_token_0001"
    assert f'href="{base}/returns?lang=fr"' in private
    assert f'href="{base}/claims?lang=fr"' in private
    assert "Retourner des articles" in private
    assert "returns.example" not in shared and "st_private_token_0001" not in shared


async def test_no_link_without_after_sales() -> None:
    async with asgi_client(
        create_api(ApiSettings(), FakeReadModel(sample_order()), LiveHub())
    ) as c:
        assert 'id="aftersales"' not in (await c.get(PRIVATE)).text
