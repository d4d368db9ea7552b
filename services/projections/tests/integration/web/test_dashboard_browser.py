"""The shopper's dashboard in headless Chromium on a real PostgreSQL, with the outbox drained in
the background and the mail read from a real SMTP peer: ask for a link, sign in, three orders
follow a carrier event and a return live, sign out; an unknown email reads the same; used and
expired links say so; axe-core finds no serious or critical violation on the new pages. The
carrier event and the return go through Kafka and the projector process."""

from __future__ import annotations

import contextlib
import dataclasses
import json
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import asyncpg
import pytest
from playwright.async_api import Browser, Page, ViewportSize

from suivi_infra.browser import chromium, needs_chromium, serve
from suivi_infra.kafka import make_producer
from suivi_infra.settings import KafkaSettings, PostgresSettings
from suivi_infra.testing import TopicFactory
from suivi_notifier.testing.smtp_peer import SmtpPeer
from suivi_projections.bootstrap import bootstrap
from suivi_projections.db.migrate import migrate
from suivi_projections.query.live import LiveHub, PostgresOrderListener
from suivi_projections.settings import ProjectionsSettings
from suivi_projections.testing.aftersales import return_event
from suivi_projections.testing.browser import eventually
from suivi_projections.testing.dashboard import (
    ALICE,
    SHOPS,
    dashboard_app,
    link_in,
    shoppers_orders,
    write_orders,
)
from suivi_projections.testing.samples import T0, status_event
from suivi_projections.web.settings import ApiSettings
from suivi_schemas import ShipmentStatus, ShipmentStatusEvent
from suivi_schemas.returns import ReturnEvent, ReturnEventKind, ReturnState

ROOT = Path(__file__).resolve().parents[5]
AXE = ROOT / ".local" / "axe" / "node_modules" / "axe-core" / "axe.min.js"
ARTIFACTS = ROOT / "test-artifacts" / "projections"
PHONE: ViewportSize = {"width": 390, "height": 844}

pytestmark = needs_chromium


@pytest.fixture
async def browser() -> AsyncIterator[Browser]:
    async with chromium() as browser:
        yield browser


async def serious(page: Page) -> list[str]:
    """axe-core's serious and critical WCAG 2.x A/AA violations on the page as it is."""
    if not AXE.exists():
        return []
    await page.evaluate(AXE.read_text())
    result: dict[str, Any] = await page.evaluate(
        "axe.run(document, {runOnly: {type: 'tag', values: "
        "['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa']}})"
    )
    bad = [v for v in result["violations"] if v["impact"] in ("serious", "critical")]
    return [f"{v['id']}: {[n['target'] for n in v['nodes']][:3]}" for v in bad]


async def ask(page: Page, base: str, email: str) -> str:
    """Asks for a link on the shop's lookup page; returns what the answer page says."""
    await page.goto(f"{base}/lookup/shop-a")
    await page.fill("#signin input[name=email]", email)
    await page.click("#signin button[type=submit]")
    return " ".join((await page.inner_text("main")).split())


async def publish(
    kafka: KafkaSettings, topic: str, event: ShipmentStatusEvent | ReturnEvent
) -> None:
    producer = make_producer(kafka)
    await producer.start()
    try:
        await producer.send_and_wait(
            topic, event.model_dump_json().encode(), key=event.key.encode()
        )
    finally:
        await producer.stop()


@contextlib.asynccontextmanager
async def projector(
    kafka: KafkaSettings, postgres: PostgresSettings, schema: str, status_topic: str,
    topic: TopicFactory, returns_topic: str,
) -> AsyncIterator[None]:  # fmt: skip
    """The projector process on topics of the test's own, writing into the test's schema."""
    settings = ProjectionsSettings(
        kafka=kafka, postgres=postgres, group_id=f"dashboard-{uuid.uuid4().hex[:8]}",
        status_topic=status_topic, orders_topic=await topic("orders", partitions=1),
        legs_topic="", returns_topic=returns_topic, claims_topic="",
        dlq_topic=await topic("dlq", partitions=1),
        alerts_topic=await topic("alerts", partitions=1), metrics_port=0,
        retry_backoff_seconds=0.1, migrate_on_start=False,
    )  # fmt: skip
    service = bootstrap(settings, serve_metrics=False, server_settings={"search_path": schema})
    async with service.app:
        yield


async def test_sign_in_see_three_orders_change_live_and_sign_out(
    browser: Browser, pg_pool: asyncpg.Pool, pg_schema: str, postgres_settings: PostgresSettings,
    kafka_settings: KafkaSettings, kafka_topic: TopicFactory,
) -> None:  # fmt: skip
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    async with pg_pool.acquire() as conn:
        await migrate(conn)
    await write_orders(pg_pool, shoppers_orders())
    status_topic = await kafka_topic("status", partitions=1)
    returns_topic = await kafka_topic("returns", partitions=1)
    running = projector(kafka_settings, postgres_settings, pg_schema, status_topic, kafka_topic,
                        returns_topic)  # fmt: skip
    peer = SmtpPeer()
    await peer.start()
    hub = LiveHub()
    listener = PostgresOrderListener(postgres_settings.database_url, hub, retry_seconds=0.1)
    clock = [datetime.now(UTC)]
    problems: list[str] = []
    axe: dict[str, list[str]] = {}
    await listener.start()
    settings = ApiSettings(merchant_names=SHOPS, sse_heartbeat_seconds=1,
                           dashboard_outbox_poll_seconds=0.2)  # fmt: skip
    app, dashboard = dashboard_app(settings, pg_pool, hub, peer.port, lambda: clock[0])
    try:
        await eventually(lambda: hub.connected)
        async with running, serve(app) as base:
            # Links point at where the browser reaches the app (a port known only now).
            dashboard.config = dataclasses.replace(dashboard.config, base_url=base)
            dashboard.start()
            page = await browser.new_page(viewport=PHONE)
            page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda e: problems.append(str(e)))

            await page.goto(f"{base}/lookup/shop-a")
            axe["lookup"] = await serious(page)
            known = await ask(page, base, ALICE)
            assert "a sign-in link is on its way" in known
            await page.screenshot(path=ARTIFACTS / "dashboard-sent-phone.png", full_page=True)
            unknown = await ask(page, base, "nobody@example.com")
            assert unknown == known  # the same page, word for word
            link = link_in((await peer.wait_for(1))[0])
            assert len(peer.messages) == 1  # none for the unknown address

            await page.goto(link)
            axe["link"] = await serious(page)
            await page.click("button[type=submit]")
            await page.wait_for_url(f"{base}/me*")
            await page.wait_for_selector('#live[data-state="on"]', timeout=10_000)
            cards = page.locator(".order-card")
            assert await cards.count() == 3
            numbers = [await c.get_attribute("data-order") for c in await cards.all()]
            assert numbers == ["A-103", "A-102", "A-101"]
            axe["dashboard"] = await serious(page)
            await page.screenshot(path=ARTIFACTS / "dashboard-phone.png", full_page=True)

            # A carrier event published on Kafka: the projector writes it, PostgreSQL notifies,
            # the card changes in place.
            delivered = status_event("ups", "1ZALICE3", T0 + timedelta(days=4),
                                     ShipmentStatus.DELIVERED, city="Besançon")  # fmt: skip
            await publish(kafka_settings, status_topic, delivered)
            await page.wait_for_function(
                "() => document.querySelector('[data-order=\"A-103\"]').textContent"
                ".includes('Delivered')",
                timeout=15_000,
            )
            # A return of A-101 approved at after-sales: its card lists it in place.
            approved = return_event("shop-a", "R-1", "A-101", ReturnEventKind.APPROVED,
                                    ReturnState.APPROVED, T0 + timedelta(days=5))  # fmt: skip
            await publish(kafka_settings, returns_topic, approved)
            await page.wait_for_function(
                "() => document.querySelector('[data-order=\"A-101\"]').textContent"
                ".includes('Return R-1: approved, to be dropped off')",
                timeout=15_000,
            )
            axe["dashboard-return"] = await serious(page)
            await page.screenshot(path=ARTIFACTS / "dashboard-return-phone.png", full_page=True)
            await page.click("a[href^='/me?show=delivered']")
            assert await page.locator(".order-card").count() == 1

            await page.click("text=Sign out")
            assert "signed out" in await page.inner_text("main")
            await page.goto(f"{base}/me")
            assert "session has ended" in await page.inner_text("main")

            # The link again: used; a fresh one after its 15 minutes: expired.
            await page.goto(link)
            assert "already been used" in await page.inner_text("#link-refused")
            await ask(page, base, ALICE)
            second = await peer.wait_for(2)
            assert len(second) == 2
            clock[0] += timedelta(minutes=16)
            await page.goto(link_in(second[1]))
            assert "has expired" in await page.inner_text("#link-refused")
            await page.screenshot(path=ARTIFACTS / "dashboard-expired-phone.png", full_page=True)
            hub.close()
    finally:
        await dashboard.stop()
        await listener.stop()
        await peer.stop()
    # No CSP violation, no script error (the refusals' own 401 and 410 pages aside).
    expected = "Failed to load resource: the server responded with a status of 4"
    assert [p for p in problems if not p.startswith(expected)] == []
    assert {k: v for k, v in axe.items() if v} == {}, json.dumps(axe, indent=1)
