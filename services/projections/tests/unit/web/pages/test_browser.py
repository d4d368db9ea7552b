"""The status page in headless Chromium: it updates in place when the order changes.

Debian's `chromium` (installed by `make bootstrap`) driven by Playwright; never a downloaded
browser. Screenshots go to test-artifacts/projections/ (git-ignored).
"""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator
from datetime import date
from pathlib import Path

import pytest
from playwright.async_api import Browser, Page, ViewportSize

from suivi_infra.browser import chromium, needs_chromium, serve
from suivi_projections.domain.orders import OrderStatus
from suivi_projections.query.live import LiveHub
from suivi_projections.query.views import OrderView, Watch
from suivi_projections.testing.fakes import (
    FakeReadModel,
    at,
    entry,
    in_transit_shipment,
    sample_order,
)
from suivi_projections.web.app import create_api
from suivi_projections.web.settings import ApiSettings
from suivi_schemas import EstimatedDelivery, EstimateSource, ShipmentStatus, Substatus

ARTIFACTS = Path(__file__).resolve().parents[6] / "test-artifacts" / "projections"
PHONE: ViewportSize = {"width": 390, "height": 844}
DESKTOP: ViewportSize = {"width": 1280, "height": 800}
TOKEN = "st_private_token_0001"

pytestmark = needs_chromium


def needs_attention() -> OrderView:
    """A failed attempt on one parcel, the other waiting at a pickup point."""
    failed = out_for_delivery(in_transit()).shipments[0]
    attempt = entry(at(14, 11, 5), ShipmentStatus.DELIVERY_ATTEMPT_FAILED,
                    Substatus.RECIPIENT_UNAVAILABLE, "Destinataire absent, avis de passage déposé",
                    "Montreuil", "93100", action=True)  # fmt: skip
    failed = dataclasses.replace(
        failed, status=attempt.status, substatus=attempt.substatus, action_required=True,
        last_event_at=attempt.occurred_at, timeline=(attempt, *failed.timeline),
    )  # fmt: skip
    pickup = entry(at(14, 9, 30), ShipmentStatus.AVAILABLE_FOR_PICKUP,
                   Substatus.ARRIVED_AT_PICKUP_POINT, "Disponible au relais", "Montreuil", "93100",
                   action=True)  # fmt: skip
    second = sample_order().shipments[1]
    waiting = dataclasses.replace(
        second, status=pickup.status, substatus=pickup.substatus, action_required=True,
        delivered_at=None, last_event_at=pickup.occurred_at, last_location=pickup.location,
        timeline=(pickup, *second.timeline[1:]),
    )  # fmt: skip
    return dataclasses.replace(
        sample_order(), status_token="st_attention_00001", share_token="sh_attention_00001",
        status=OrderStatus.NEEDS_ATTENTION, shipments=(failed, waiting),
    )  # fmt: skip


def in_transit() -> OrderView:
    return sample_order(status=OrderStatus.IN_TRANSIT, shipments=(in_transit_shipment(),))


def out_for_delivery(order: OrderView) -> OrderView:
    shipment = order.shipments[0]
    news = entry(at(14, 6, 48), ShipmentStatus.OUT_FOR_DELIVERY, Substatus.OUT_FOR_DELIVERY,
                 "En cours de livraison", "Montreuil", "93100")  # fmt: skip
    window = EstimatedDelivery(
        earliest=date(2025, 5, 14), latest=date(2025, 5, 14), earliest_at=at(14, 8),
        latest_at=at(14, 12), source=EstimateSource.CARRIER,
    )  # fmt: skip
    moving = dataclasses.replace(
        shipment,
        status=ShipmentStatus.OUT_FOR_DELIVERY,
        substatus=Substatus.OUT_FOR_DELIVERY,
        last_event_at=news.occurred_at,
        estimated_delivery=window,
        timeline=(news, *shipment.timeline),
    )
    return dataclasses.replace(
        order, status=OrderStatus.OUT_FOR_DELIVERY, shipments=(moving,), updated_at=news.occurred_at
    )


@pytest.fixture
async def browser() -> AsyncIterator[Browser]:
    async with chromium() as browser:
        yield browser


async def test_status_page_updates_in_place_on_phone_and_desktop(browser: Browser) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    fake = FakeReadModel(in_transit())
    hub = LiveHub()
    app = create_api(ApiSettings(sse_heartbeat_seconds=1), fake, hub)
    problems: list[str] = []
    requested: list[str] = []

    async def open_page(base: str, viewport: ViewportSize, path: str) -> Page:
        page = await browser.new_page(viewport=viewport)
        page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: problems.append(str(e)))
        page.on("request", lambda r: requested.append(r.url))  # data: URLs are not requests
        await page.goto(base + path)
        await page.wait_for_selector('#live[data-state="on"]', timeout=10_000)  # SSE connected
        return page

    async with serve(app) as base:
        phone = await open_page(base, PHONE, f"/orders/{TOKEN}")
        desktop = await open_page(base, DESKTOP, f"/orders/{TOKEN}")
        shared = await open_page(base, PHONE, "/s/sh_shared_token_0001?lang=fr")
        for page in (phone, desktop, shared):
            await page.evaluate("window.__sameDocument = true")
        assert await phone.inner_text("#headline") == "On its way"
        await phone.screenshot(path=ARTIFACTS / "status-phone-before.png", full_page=True)

        fake.put(out_for_delivery(in_transit()))
        assert hub.publish(TOKEN) == 3  # the path a NOTIFY takes once the listener hears it

        for page, headline in ((phone, "Out for delivery"), (desktop, "Out for delivery"),
                               (shared, "En cours de livraison")):  # fmt: skip
            await page.wait_for_function(
                "h => document.getElementById('headline').textContent === h",
                arg=headline,
                timeout=10_000,
            )
            assert await page.evaluate("window.__sameDocument") is True  # no reload
            assert await page.get_attribute("html", "data-updates") == "1"
        current = await phone.inner_text('.stages li[aria-current="step"] .label')
        assert current == "Out for delivery"
        first_event = await phone.inner_text(".timeline li.newest strong")
        assert first_event == "Out for delivery"

        await phone.wait_for_timeout(1300)  # let the "updated" highlight fade
        await phone.screenshot(path=ARTIFACTS / "status-phone.png", full_page=True)
        await desktop.screenshot(path=ARTIFACTS / "status-desktop.png", full_page=True)
        await shared.screenshot(path=ARTIFACTS / "shared-phone-fr.png", full_page=True)
        fake.put(needs_attention())
        attention = await open_page(base, PHONE, "/orders/st_attention_00001")
        await attention.screenshot(path=ARTIFACTS / "attention-phone.png", full_page=True)
        lookup = await browser.new_page(viewport=PHONE)
        await lookup.goto(base + "/lookup?lang=fr")
        await lookup.screenshot(path=ARTIFACTS / "lookup-phone-fr.png", full_page=True)
        hub.close()

    assert problems == []  # no CSP violation, no script error
    assert all(url.startswith(base) for url in requested), requested  # nothing external
    for name in ("status-phone.png", "status-desktop.png", "shared-phone-fr.png"):
        assert (ARTIFACTS / name).stat().st_size > 10_000


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
async def test_concerns_look_distinct_and_read_well(
    browser: Browser, viewport: ViewportSize
) -> None:
    """Stalled, late and returned: each its headline, next step and look; the stepper is an
    ordered list with aria-current; a returned parcel's stepper is no orange "In transit"."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    cases = {
        "stalled": (dataclasses.replace(in_transit_shipment(), watch=Watch.STALLED),
                    "No news from the carrier for a while"),
        "late": (dataclasses.replace(in_transit_shipment(), watch=Watch.LATE),
                 "Your parcel is running late"),
        "returned": (dataclasses.replace(in_transit_shipment(),
                                         status=ShipmentStatus.RETURNED_TO_SENDER),
                     "Your parcel is back at the shop"),
    }  # fmt: skip
    orders = [
        sample_order(
            status=OrderStatus.IN_TRANSIT,
            shipments=(parcel,),
            token=f"st_concern_{name}_0001",
            order_number=name,
        )
        for name, (parcel, _) in cases.items()
    ]
    app = create_api(ApiSettings(), FakeReadModel(*orders), LiveHub())
    async with serve(app) as base:
        page = await browser.new_page(viewport=viewport)
        looks = set()
        for name, (_, headline) in cases.items():
            await page.goto(f"{base}/orders/st_concern_{name}_0001")
            assert await page.inner_text("#headline") == headline
            assert (await page.inner_text(".next")).startswith("What happens next:")
            hero = page.locator("section.hero")
            looks.add(await hero.evaluate("e => getComputedStyle(e).borderTopColor"))
            current = page.locator('ol.stages li[aria-current="step"]')
            assert await current.count() == 1
            label = await current.inner_text()
            size = await current.evaluate("e => parseFloat(getComputedStyle(e).fontSize)")
            assert size >= 14, (name, size)
            if name == "returned":
                assert label == "Back at the shop"
            kind = "phone" if viewport is PHONE else "desktop"
            await page.screenshot(path=ARTIFACTS / f"concern-{name}-{kind}.png", full_page=True)
        assert len(looks) == 3  # three different colours, on top of three different headlines
