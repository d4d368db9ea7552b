"""The console in headless Chromium (Debian's, driven by Playwright), on a phone-sized screen:
TOTP enrolment and sign-in with pyotp as the authenticator, a wrong code refused, a recovery code
used once, a key created and revoked, a shop branded with a logo. Screenshots go to
test-artifacts/console/ (git-ignored)."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator
from pathlib import Path

import pyotp
import pytest
from PIL import Image
from playwright.async_api import Browser, Page

from suivi_console.bootstrap import ConsoleService
from suivi_console.testing.harness import PASSWORD, Clock, onboard
from suivi_infra.browser import chromium, needs_chromium, serve

ARTIFACTS = Path(__file__).resolve().parents[4] / "test-artifacts" / "console"
EMAIL = "owner@atelier.test"

pytestmark = needs_chromium


@pytest.fixture
async def browser() -> AsyncIterator[Browser]:
    async with chromium() as found:
        yield found


async def password_step(page: Page, base: str) -> None:
    await page.goto(f"{base}/signin")
    await page.fill("#email", EMAIL)
    await page.fill("#password", PASSWORD)
    await page.click("button[type=submit]:has-text('Sign in')")


async def shot(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    await page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


async def sign_out(page: Page) -> None:
    await page.click("button:has-text('Sign out')")
    await page.wait_for_url("**/signin")


async def test_two_factor_keys_and_branding_in_a_browser(
    service: ConsoleService, browser: Browser, clock: Clock, tmp_path: Path
) -> None:
    await onboard(service, "atelier", EMAIL)
    problems: list[str] = []
    async with serve(service.app) as base:
        page = await browser.new_page(viewport={"width": 390, "height": 844}, locale="en-GB")
        # Errors but the refused codes' own 401 answers: a CSP violation would show here.
        page.on("console", lambda m: problems.append(m.text)
                if m.type == "error" and "status of 401" not in m.text else None)  # fmt: skip
        page.on("pageerror", lambda e: problems.append(str(e)))

        await password_step(page, base)
        await page.wait_for_url("**/signin/enrol")
        await shot(page, "01-enrol")
        secret = (await page.text_content("#totp-secret") or "").strip()
        await page.fill("#code", pyotp.TOTP(secret).at(clock()))
        await page.click("button[type=submit]:has-text('Confirm')")
        codes = [c.strip() for c in await page.locator("#recovery-codes li").all_text_contents()]
        assert len(codes) == 10
        await shot(page, "02-recovery-codes")

        await page.goto(f"{base}/keys")
        await page.fill("#label", "Shopify sync")
        await page.click("button:has-text('Create a key')")
        key = (await page.text_content("#new-key") or "").strip()
        assert key.startswith("sk_atelier_")
        await shot(page, "03-key-created")
        await page.click("#keys button:has-text('Revoke')")
        assert await page.locator("#keys td:has-text('Revoked')").count() == 1
        assert key not in await page.content()

        await sign_out(page)
        clock.advance(seconds=30)
        await password_step(page, base)
        await page.wait_for_url("**/signin/code")
        await page.fill("#code", "000000")
        await page.click("button:has-text('Verify')")
        assert "This code is not valid." in (await page.text_content(".error") or "")
        await shot(page, "04-wrong-code")
        await page.fill("#code", codes[0])
        await page.click("button:has-text('Verify')")
        await page.wait_for_url("**/orders")

        await sign_out(page)
        await password_step(page, base)
        await page.fill("#code", codes[0])  # spent
        await page.click("button:has-text('Verify')")
        assert await page.locator(".error").count() == 1
        await page.fill("#code", pyotp.TOTP(secret).at(clock()))
        await page.click("button:has-text('Verify')")
        await page.wait_for_url("**/orders")

        logo = tmp_path / "logo.png"
        buffer = io.BytesIO()
        Image.new("RGB", (300, 120), (170, 51, 0)).save(buffer, format="PNG")
        logo.write_bytes(buffer.getvalue())
        await page.goto(f"{base}/settings")
        await page.fill("#display_name", "Atelier Comtois")
        await page.fill("#message", "Merci pour votre commande !")
        await page.set_input_files("#logo", str(logo))
        await page.fill("#return_policy_url", "https://atelier.test/retours")
        await page.select_option("#language", "fr")
        await page.click("form[action='/settings/branding'] button[type=submit]")
        assert (await page.text_content("#preview-name") or "").strip() == "Atelier Comtois"
        assert await page.get_attribute("#preview-policy", "href") == "https://atelier.test/retours"
        assert await page.input_value("#language") == "fr"
        assert await page.locator("#preview img").evaluate("i => i.naturalWidth") > 0
        await shot(page, "05-branding")

        await page.goto(f"{base}/settings?lang=fr")
        assert "Image de marque" in await page.content()
        await shot(page, "06-settings-fr")
    assert problems == []
