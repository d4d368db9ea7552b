"""The shopper's return request in headless Chromium (Debian's /usr/bin/chromium driven by
Playwright, never a downloaded browser), on a phone: a form sent with nothing chosen is refused
with a clear message; one shirt of two then becomes a return whose page shows its RMA, its
stepper at "requested" and what to do; the strict CSP blocks nothing the page needs.
Screenshots go to test-artifacts/aftersales/ (git-ignored)."""

from __future__ import annotations

from pathlib import Path

from playwright.async_api import ConsoleMessage

from suivi_aftersales.bootstrap import AftersalesService
from suivi_aftersales.testing.harness import ATELIER, Topics, client, delivered_order
from suivi_aftersales.testing.images import photo_with_gps
from suivi_infra.browser import chromium, needs_chromium, serve
from suivi_infra.settings import KafkaSettings

ARTIFACTS = Path(__file__).resolve().parents[4] / "test-artifacts" / "aftersales"
pytestmark = needs_chromium


async def test_a_shopper_requests_a_return_on_a_phone(
    kafka_settings: KafkaSettings, topics: Topics, service: AftersalesService
) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    async with client(service) as http:
        policy = {"window_days": 30, "methods": ["drop_off_label", "own_shipment"]}
        assert (await http.put("/v1/returns/policy", json=policy, headers=ATELIER)).is_success
    token = await delivered_order(kafka_settings, topics, service, "B-7001", "6A88888888885")
    problems: list[str] = []
    async with serve(service.api) as base, chromium() as browser:
        page = await browser.new_page(viewport={"width": 390, "height": 844})

        # Errors but the 4xx answers the test asks for (and the favicon's 404).
        def console(message: ConsoleMessage) -> None:
            if message.type == "error" and "Failed to load resource" not in message.text:
                problems.append(message.text)

        page.on("console", console)
        await page.goto(f"{base}/orders/{token}/returns")
        assert await page.locator("h1").inner_text() == "Retours · Commande B-7001"

        await page.click("#return-form button[type=submit]")  # nothing chosen
        alert = page.get_by_role("alert")
        assert await alert.inner_text() == "Choisissez au moins un article à retourner."

        await page.select_option("select[name='qty:l1']", "1")
        await page.select_option("select[name='reason:l1']", "too_small")
        await page.check("input[value=own_shipment]")
        await page.fill("#comment", "Un peu juste")
        await page.screenshot(path=str(ARTIFACTS / "request-phone.png"), full_page=True)
        await page.click("#return-form button[type=submit]")
        await page.wait_for_url("**/returns/R-*")

        heading = await page.locator("h1").inner_text()
        assert heading.startswith("Retour R-")
        current = page.locator("#stepper li.current")
        assert await current.inner_text() == "Demandé"
        assert await page.locator("#stepper li").count() == 6
        assert "examiner votre demande" in await page.locator("#instructions").inner_text()
        await page.screenshot(path=str(ARTIFACTS / "return-phone.png"), full_page=True)
    assert problems == []  # no CSP violation, no script error


async def test_a_claim_with_a_photo_in_the_browser(
    kafka_settings: KafkaSettings, topics: Topics, service: AftersalesService, tmp_path: Path
) -> None:
    """Open a claim with a photo, the merchant answers, the shopper replies, the merchant
    resolves with a reship: each step seen on the shopper's page in Chromium."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    photo = tmp_path / "colis.jpg"
    photo.write_bytes(photo_with_gps())
    async with client(service) as http:  # delivered_order waits for the return form
        await http.put("/v1/returns/policy", json={"methods": ["own_shipment"]}, headers=ATELIER)
    token = await delivered_order(
        kafka_settings, topics, service, "B-8001", "6A51515151511", deliver=True
    )
    async with (
        serve(service.api) as base,
        chromium() as browser,
        client(service) as http,
    ):
        page = await browser.new_page(viewport={"width": 390, "height": 844})
        await page.goto(f"{base}/orders/{token}/claims?lang=en")
        await page.check("input[value='laposte:6A51515151511|damaged']")
        await page.fill("#description", "The box was crushed")
        await page.set_input_files("#photos", str(photo))
        await page.click("#claim-form button[type=submit]")
        await page.wait_for_url("**/claims/C-*")
        claim_id = page.url.split("/")[-1].split("?")[0]
        assert await page.locator("#state").inner_text() == "Waiting for the shop"
        assert await page.locator("img").count() == 1

        answer = {"body": "Sorry! We send another one."}
        await http.post(f"/v1/claims/{claim_id}/messages", headers=ATELIER, json=answer)
        await page.reload()
        assert await page.locator("#state").inner_text() == "Waiting for your answer"
        await page.fill("#body", "Thank you")
        await page.click("#reply-form button[type=submit]")
        await page.wait_for_url(f"**/claims/{claim_id}*")
        assert await page.locator("#thread li").count() == 3

        resolve = {"outcome": "reship"}
        await http.post(f"/v1/claims/{claim_id}/resolve", headers=ATELIER, json=resolve)
        await page.reload()
        assert await page.locator("#state").inner_text() == "Resolved — Sent again"
        await page.screenshot(path=str(ARTIFACTS / "claim-phone.png"), full_page=True)
