"""WCAG 2.2 AA in Chromium: axe-core finds no serious or critical violation on the private
page, the shareable page, the lookup form and the analytics page, at phone and desktop sizes.

axe-core comes from the npm registry through `deploy/scripts/axe.sh` (`make bootstrap`) into
.local/axe; it is evaluated in the page over the DevTools protocol (the pages' own CSP, which
allows no inline script, stays on).
"""

from __future__ import annotations

import base64
import dataclasses
import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from playwright.async_api import Browser, Page, ViewportSize
from pydantic import SecretStr

from suivi_infra.browser import CHROMIUM, chromium, serve
from suivi_projections.domain.orders import OrderStatus
from suivi_projections.query.live import LiveHub
from suivi_projections.query.views import Watch
from suivi_projections.testing.analytics import FakeAnalytics
from suivi_projections.testing.fakes import FakeReadModel, in_transit_shipment, sample_order
from suivi_projections.web.app import create_api
from suivi_projections.web.settings import ApiSettings
from suivi_schemas.merchants import Branding

ROOT = Path(__file__).resolve().parents[6]
AXE = ROOT / ".local" / "axe" / "node_modules" / "axe-core" / "axe.min.js"
ARTIFACTS = ROOT / "test-artifacts" / "projections"
KEY = "key-a-0123456789abcdef"
SIZES: dict[str, ViewportSize] = {
    "phone": {"width": 390, "height": 844},
    "desktop": {"width": 1280, "height": 800},
}

pytestmark = [
    pytest.mark.skipif(not CHROMIUM.exists(), reason="no /usr/bin/chromium: `make bootstrap`"),
    pytest.mark.skipif(
        not AXE.exists(), reason="no axe-core: `make bootstrap` (deploy/scripts/axe.sh)"
    ),
]


@pytest.fixture
async def browser() -> AsyncIterator[Browser]:
    async with chromium() as launched:
        yield launched


def orders() -> FakeReadModel:
    stalled = dataclasses.replace(in_transit_shipment(), watch=Watch.STALLED)
    return FakeReadModel(
        sample_order(),  # one parcel delivered, one on its way
        sample_order(order_number="77", token="st_stalled_000001", share_token="sh_stalled_00001",
                     status=OrderStatus.IN_TRANSIT, shipments=(stalled,)),
    )  # fmt: skip


async def serious(page: Page) -> list[Any]:
    """axe-core's serious or critical WCAG 2.x A/AA violations on the open page."""
    await page.evaluate(AXE.read_text())
    result = await page.evaluate(
        "axe.run(document, {runOnly: {type: 'tag', values: "
        "['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa']}})"
    )
    return [v for v in result["violations"] if v["impact"] in ("serious", "critical")]


async def violations(browser: Browser, url: str, size: ViewportSize, **headers: str) -> list[Any]:
    page = await browser.new_page(viewport=size, extra_http_headers=headers)
    await page.goto(url)
    found = await serious(page)
    name = url.split("/", 3)[-1].replace("/", "_").split("?")[0] or "root"
    await page.screenshot(path=ARTIFACTS / f"a11y-{name}-{size['width']}.png", full_page=True)
    await page.close()
    return found


@pytest.mark.parametrize("size", SIZES.values(), ids=SIZES.keys())
async def test_no_serious_or_critical_violation(browser: Browser, size: ViewportSize) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    pale = Branding(display_name="Boutique Lumière", colour="#ffd400",
                    contact_email="aide@boutique.example", message="Merci !")  # fmt: skip
    settings = ApiSettings(
        merchant_keys=SecretStr(f"shop-a:{KEY}"), merchant_branding={"shop-a": pale}
    )
    app = create_api(settings, orders(), LiveHub(), analytics=FakeAnalytics())
    basic = "Basic " + base64.b64encode(f"shop-a:{KEY}".encode()).decode()
    pages = {
        "/orders/st_private_token_0001": {},
        "/orders/st_stalled_000001": {},
        "/s/sh_shared_token_0001": {},
        "/s/sh_stalled_00001?lang=fr": {},
        "/lookup": {},
        "/lookup/shop-a": {},
        "/help": {},
        "/merchant/analytics?from=2025-03-01&to=2025-03-31": {"Authorization": basic},
    }
    found: dict[str, list[str]] = {}
    async with serve(app) as base:
        for path, headers in pages.items():
            bad = await violations(browser, base + path, size, **headers)
            if bad:
                found[path] = [
                    f"{v['id']} ({v['impact']}): {[n['target'] for n in v['nodes']][:5]}"
                    for v in bad
                ]
    assert found == {}, json.dumps(found, indent=1)


async def test_language_picker_switches_and_remembers(browser: Browser) -> None:
    """A French order's page; the shopper picks Deutsch: the page is German, and stays German
    when opened again without `?lang=` (the cookie); axe-core still finds nothing serious."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    french = dataclasses.replace(sample_order(), locale="fr-FR")
    app = create_api(ApiSettings(), FakeReadModel(french), LiveHub())
    async with serve(app) as base:
        page = await browser.new_page(viewport=SIZES["phone"])
        await page.goto(base + "/orders/st_private_token_0001")
        assert await page.get_attribute("html", "lang") == "fr"
        await page.click("nav.langs a[hreflang=de]")
        await page.wait_for_load_state()
        assert await page.get_attribute("html", "lang") == "de"
        assert "Teilweise zugestellt" in await page.inner_text("#headline")
        await page.goto(base + "/orders/st_private_token_0001")
        assert await page.get_attribute("html", "lang") == "de"
        current = page.locator("nav.langs a[aria-current=true]")
        assert await current.inner_text() == "Deutsch"
        found = await serious(page)
        await page.screenshot(path=ARTIFACTS / "language-picker-de-390.png", full_page=True)
        await page.close()
    assert [v["id"] for v in found] == []
