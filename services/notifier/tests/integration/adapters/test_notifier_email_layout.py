"""The HTML mails in Debian's Chromium at a 390 px phone width: nothing cut off or scrolled.

Screenshots go to test-artifacts/notifier/ (git-ignored) for a reviewer's eye.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from playwright.async_api import Browser

from suivi_infra.browser import chromium, needs_chromium
from suivi_notifier.adapters.render import DigestContext, DigestLine, MessageContext, Renderer

ARTIFACTS = Path(__file__).resolve().parents[5] / "test-artifacts" / "notifier"
T0 = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)

pytestmark = needs_chromium


@pytest.fixture
async def browser() -> AsyncIterator[Browser]:
    async with chromium() as browser:
        yield browser


def mail(trigger: str, locale: str) -> MessageContext:
    return MessageContext(
        trigger=trigger, locale=locale, merchant_id="atelier", merchant_name="Atelier Comtois",
        order_number="A-10042", carrier="dhl-ecommerce", tracking_number="GM2951173225024587",
        status_url="https://track.suivi.test/orders/AbCdEfGhIjKlMnOpQrStUvWxYz012345",
        unsubscribe_url="https://notify.suivi.test/v1/unsubscribe/tok?channel=email",
        name="Jeanne",
    )  # fmt: skip


@pytest.mark.parametrize("width", [390, 1024])
async def test_mails_fit_a_phone_and_stay_560_px_on_a_desktop(browser: Browser, width: int) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    renderer = Renderer()
    digest = renderer.digest(
        DigestContext("Atelier Comtois", "fr", "Europe/Paris", 60, (
            DigestLine(("A-10042",), "dhl-ecommerce", "GM2951173225024587", "stalled",
                       "in_transit", T0 - timedelta(days=4), T0),
        ))
    )  # fmt: skip
    mails = {
        "returned-en": renderer.email(mail("returned_to_sender", "en")).html,
        "delivered-fr": renderer.email(mail("delivered", "fr")).html,
        "digest-fr": digest.html,
    }
    page = await browser.new_page(viewport={"width": width, "height": 800})
    for name, html in mails.items():
        await page.set_content(html)
        overflow = await page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0, (name, overflow)  # no horizontal scroll, nothing cut off
        if name != "digest-fr":
            card = await page.evaluate(
                "Math.max(...[...document.querySelectorAll('table table')]"
                ".map(t => t.getBoundingClientRect().width))"
            )
            assert card <= min(560, width), (name, card)
            assert "DHL eCommerce" in await page.inner_text("body")
        await page.screenshot(path=ARTIFACTS / f"mail-{name}-{width}.png", full_page=True)
