"""The shop's branding on its pages: its name, its colour made readable, its contacts, its
message; on the private and the shareable page alike (none of it is the shopper's)."""

from __future__ import annotations

import dataclasses
import re
from typing import Any

from suivi_projections.query.live import LiveHub
from suivi_projections.testing.browser import asgi_client
from suivi_projections.testing.fakes import FakeReadModel, sample_order
from suivi_projections.web.app import create_api
from suivi_projections.web.settings import ApiSettings
from suivi_schemas.contrast import contrast_ratio
from suivi_schemas.merchants import Branding

PALE = Branding(
    display_name="Atelier Comtois", colour="#ffd400", contact_email="aide@atelier.example",
    contact_url="https://atelier.example/aide", message="Chaque pièce est emballée à la main.",
)  # fmt: skip


async def test_brand_colour_is_readable_and_contacts_show_on_both_pages() -> None:
    settings = ApiSettings(merchant_branding={"shop-a": PALE})
    app = create_api(settings, FakeReadModel(sample_order()), LiveHub())
    async with asgi_client(app) as client:
        private = (await client.get("/orders/st_private_token_0001")).text
        shared = (await client.get("/s/sh_shared_token_0001")).text
    for page in (private, shared):
        found = re.search(r"--brand: (#[0-9a-f]{6});", page)
        assert found is not None
        assert found.group(1) != "#ffd400"  # 1.4:1 on white: adjusted, not used as is
        assert contrast_ratio(found.group(1), "#ffffff") >= 4.5
        assert "Atelier Comtois" in page and "shop-a" not in page.split("<main", 1)[1]
        assert 'href="mailto:aide@atelier.example"' in page
        assert 'href="https://atelier.example/aide"' in page
        assert "Chaque pièce est emballée à la main." in page


async def test_without_branding_the_page_keeps_its_own_colours() -> None:
    app = create_api(ApiSettings(), FakeReadModel(sample_order()), LiveHub())
    async with asgi_client(app) as client:
        page = (await client.get("/orders/st_private_token_0001")).text
    assert "--brand:" not in page.replace("var(--brand", "")


LOGO = "https://console.example/logos/atelier.png"


def branded_app(branding: Branding) -> Any:
    """The API with one shop's branding and the sample order."""
    settings = ApiSettings(merchant_branding={"shop-a": branding})
    return create_api(settings, FakeReadModel(sample_order()), LiveHub())


async def test_logo_return_policy_and_the_shops_language() -> None:
    branding = PALE.model_copy(
        update={"logo_url": LOGO, "return_policy_url": "https://atelier.example/retours",
                "language": "it"}
    )  # fmt: skip
    order = sample_order()
    app = create_api(
        ApiSettings(merchant_branding={"shop-a": branding}),
        FakeReadModel(dataclasses.replace(order, locale="")),
        LiveHub(),
    )
    async with asgi_client(app) as client:
        page = await client.get("/orders/st_private_token_0001")
        chosen = await client.get("/orders/st_private_token_0001?lang=nl")
        remembered = await client.get("/s/sh_shared_token_0001")
    assert f'<img class="logo" src="{LOGO}" alt="Atelier Comtois">' in page.text
    # The logo's origin, and no other, joins the page's image sources.
    assert (
        "img-src 'self' data: https://console.example;" in page.headers["content-security-policy"]
    )
    assert 'href="https://atelier.example/retours"' in page.text
    assert '<html lang="it">' in page.text  # no order locale, no browser language: the shop's
    assert '<html lang="nl">' in chosen.text and "suivi_lang=nl" in chosen.headers["set-cookie"]
    assert '<html lang="nl">' in remembered.text
    assert 'href="?lang=de" hreflang="de" lang="de">Deutsch</a>' in page.text


async def test_a_logo_over_plain_http_is_not_shown() -> None:
    branding = PALE.model_copy(update={"logo_url": "http://console.example/logo.png"})
    app = branded_app(branding)
    async with asgi_client(app) as client:
        page = await client.get("/orders/st_private_token_0001")
    assert (
        "<img" not in page.text and "console.example" not in page.headers["content-security-policy"]
    )


async def test_a_shops_lookup_form_speaks_its_default_language() -> None:
    branding = PALE.model_copy(update={"language": "es"})
    app = branded_app(branding)
    async with asgi_client(app) as client:
        plain = await client.get("/lookup/shop-a")
        browser = await client.get("/lookup/shop-a", headers={"accept-language": "nl"})
    assert '<html lang="es">' in plain.text and "Sigue tu pedido de Atelier Comtois" in plain.text
    assert '<html lang="nl">' in browser.text
