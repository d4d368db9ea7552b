"""In Chromium (Debian's, driven by Playwright), on a phone-sized screen, against a real
after-sales: a merchant approves a return, attaches its parcel, sees it received after the
carrier's scans, marks it inspected and refunds it; then answers a claim, sees its photo,
resolves it with a reship and downloads its dossier. No CSP violation on the way. Screenshots
in test-artifacts/console/."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from playwright.async_api import Browser, Page

from suivi_aftersales.testing.builders import T0, status_event
from suivi_aftersales.testing.harness import Topics, publish
from suivi_console.bootstrap import ConsoleService
from suivi_console.web.cookies import session_name
from suivi_infra.browser import chromium, needs_chromium, serve
from suivi_infra.settings import KafkaSettings
from suivi_schemas.status import ShipmentStatus

ARTIFACTS = Path(__file__).resolve().parents[5] / "test-artifacts" / "console"
Opener = Callable[[str, str], Awaitable[tuple[str, str]]]

pytestmark = needs_chromium


@pytest.fixture
async def browser() -> AsyncIterator[Browser]:
    async with chromium() as found:
        yield found


async def shot(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    await page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


async def signed_in_page(browser: Browser, base: str, owner: httpx.AsyncClient,
                         problems: list[str]) -> Page:  # fmt: skip
    """A phone-sized page carrying the owner's session (signed in by the fixture)."""
    context = await browser.new_context(viewport={"width": 390, "height": 844}, locale="en-GB")
    name = session_name(False)
    await context.add_cookies([{"name": name, "value": owner.cookies[name], "url": base}])
    page = await context.new_page()
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    return page


async def test_a_merchant_refunds_a_return_and_resolves_a_claim_in_a_browser(
    service: ConsoleService, browser: Browser, owners: tuple[httpx.AsyncClient, ...],
    shopper_return: Opener, shopper_claim: Opener, kafka_settings: KafkaSettings,
    aftersales_topics: Topics,
) -> None:  # fmt: skip
    _, rma = await shopper_return("R-8001", "6A80018001800")
    _, claim_id = await shopper_claim("C-8101", "6A81018101810")
    problems: list[str] = []
    async with serve(service.app) as base:
        page = await signed_in_page(browser, base, owners[0], problems)
        await page.goto(f"{base}/returns")
        await page.click(f"#returns a:has-text('{rma}')")
        await page.wait_for_url(f"**/returns/{rma}")
        await shot(page, "20-return-requested")
        await page.click("#approve")
        assert (await page.text_content("#return-state") or "").strip() == "Approved"
        await page.fill("#carrier", "laposte")
        await page.fill("#tracking_number", "6A80028002800")
        await page.click("button:has-text('Attach the return parcel')")
        assert "6A80028002800" in (await page.text_content("#parcel") or "")

        day = timedelta(days=1)
        await publish(kafka_settings, aftersales_topics.status, [
            status_event("6A80028002800", ShipmentStatus.IN_TRANSIT, T0 + 3 * day),
            status_event("6A80028002800", ShipmentStatus.DELIVERED, T0 + 4 * day),
        ])  # fmt: skip
        for _ in range(200):  # the merchant reloads until the parcel is back
            await page.goto(f"{base}/returns/{rma}")
            if await page.locator("#inspect").count():
                break
        await page.click("#inspect")
        await page.fill("#amount", "39.90")
        await page.click("#resolve")
        assert (await page.text_content("#return-state") or "").strip() == "Refunded"
        assert "€39.90" in (await page.text_content("#resolution") or "")  # Babel's amount
        await shot(page, "21-return-refunded")

        await page.goto(f"{base}/claims")
        await page.click(f"#claims a:has-text('{claim_id}')")
        await page.wait_for_url(f"**/claims/{claim_id}")
        assert await page.locator("#photos img").evaluate("i => i.naturalWidth") > 0
        assert "Carton écrasé" in (await page.text_content("#thread") or "")
        await page.fill("#body", "Désolés ! Nous renvoyons une théière aujourd'hui.")
        await page.click("button:has-text('Send')")
        assert "Waiting for the shopper" in (await page.text_content("#claim-state") or "")
        assert "Nous renvoyons" in (await page.text_content("#thread") or "")
        await page.select_option("#outcome-choice", "reship")
        await page.click("#resolve button[type=submit]")
        assert (await page.text_content("#outcome") or "").strip() == "Reship"
        await shot(page, "22-claim-resolved")
        dossier = await page.request.get(f"{base}/claims/{claim_id}/dossier.pdf")
        assert dossier.ok and (await dossier.body()).startswith(b"%PDF")
    assert problems == []
