"""The whole path a shopper sees, through the real broker and PostgreSQL: an order through the
order API, then signed carrier webhooks, and the status page shows each new status."""

from __future__ import annotations

import asyncio
import json
import re
import time
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
import pytest
import uvicorn
from fastapi import FastAPI
from playwright.async_api import async_playwright
from pydantic import SecretStr
from tests.integration.test_webhook_to_status import serving

from suivi_infra.browser import CHROMIUM, CHROMIUM_ARGS
from suivi_infra.settings import KafkaSettings, PostgresSettings
from suivi_infra.testing import TopicFactory
from suivi_infra.tokens import TokenSettings, status_token
from suivi_ingest.settings import IngestSettings
from suivi_ingest.testing.signers import bearer, suivi_headers
from suivi_normalizer.bootstrap import bootstrap as normalizer_service
from suivi_normalizer.settings import NormalizerSettings
from suivi_projections.bootstrap import bootstrap as projector_service
from suivi_projections.settings import ProjectionsSettings
from suivi_projections.web.bootstrap import build_api
from suivi_projections.web.settings import ApiSettings

pytestmark = pytest.mark.integration

SECRET = "e2e-webhook-secret"
MERCHANT_KEY = "e2e-merchant-key-0123456789"
TRACKING = "6A 4242 4242 424"


@asynccontextmanager
async def serving_app(app: FastAPI) -> AsyncIterator[str]:
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning"))
    task = asyncio.create_task(server.serve())
    while not server.started:
        await asyncio.sleep(0.02)
        if task.done():
            task.result()
    try:
        yield f"http://127.0.0.1:{server.servers[0].sockets[0].getsockname()[1]}"
    finally:
        server.should_exit = True
        await task


def _webhook(status: str, substatus: str, minutes_ago: int, city: str) -> bytes:
    at = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() - 60 * minutes_ago))
    event = {"status": status, "substatus": substatus, "occurred_at": at,
             "location": {"city": city, "country": "FR"}}  # fmt: skip
    body = {"carrier": "colissimo", "tracking_number": TRACKING, "events": [event]}
    return json.dumps(body).encode()


async def _page_until(http: httpx.AsyncClient, token: str, want: str) -> tuple[str, str]:
    """(order status from the JSON view, the page's headline) once the status is `want`."""
    deadline = time.monotonic() + 30
    status, headline = "", ""
    while time.monotonic() < deadline:
        view = await http.get(f"/v1/orders/{token}")
        if view.status_code == 200:
            status = view.json()["status"]
            page = (await http.get(f"/orders/{token}")).text
            found = re.search(r'<h1 id="headline">([^<]*)</h1>', page)
            headline = found.group(1).strip() if found else ""
            if status == want:
                return status, headline
        await asyncio.sleep(0.3)
    return status, headline


async def test_order_api_then_webhooks_then_the_page_shows_each_new_status(
    kafka_settings: KafkaSettings,
    kafka_topic: TopicFactory,
    postgres_settings: PostgresSettings,
    pg_schema: str,
) -> None:
    raw, status, orders, alerts = [
        await kafka_topic(n) for n in ("raw", "status", "orders", "alerts")
    ]
    dlq = await kafka_topic("dlq", partitions=1)
    joiner = "&" if "?" in postgres_settings.database_url else "?"
    database = PostgresSettings(
        database_url=f"{postgres_settings.database_url}{joiner}search_path={pg_schema}"
    )
    run = uuid.uuid4().hex[:8]
    ingest = IngestSettings(
        kafka=kafka_settings, raw_topic=raw, orders_topic=orders, suivi_secret=SecretStr(SECRET),
        merchant_keys=SecretStr(f"shop-e2e:{MERCHANT_KEY}"), metrics_port=0,
    )  # fmt: skip
    normalizer = normalizer_service(
        NormalizerSettings(kafka=kafka_settings, raw_topic=raw, status_topic=status,
                           dlq_topic=dlq, group_id=f"n-{run}", metrics_port=0),
        serve_metrics=False,
    )  # fmt: skip
    projector = projector_service(
        ProjectionsSettings(kafka=kafka_settings, postgres=database, status_topic=status,
                            orders_topic=orders, dlq_topic=dlq, alerts_topic=alerts,
                            group_id=f"p-{run}",
                            metrics_port=0),
        serve_metrics=False,
    )  # fmt: skip
    api, _ = build_api(ApiSettings(postgres=database, api_metrics_port=0))
    order = {
        "order_number": f"E2E-{run}",
        "placed_at": "2026-11-20T09:00:00+01:00",
        "customer": {"email": "camille@example.fr", "locale": "fr", "timezone": "Europe/Paris"},
        "line_items": [{"line_item_id": "L1", "title": "Théière en fonte", "quantity": 1}],
        "shipments": [{"carrier": "La Poste", "tracking_number": TRACKING,
                       "items": [{"line_item_id": "L1", "quantity": 1}]}],
    }  # fmt: skip
    token = status_token(TokenSettings().token_key, "shop-e2e", order["order_number"])  # type: ignore[arg-type]

    async with (
        serving(ingest) as ingest_url,
        httpx.AsyncClient(base_url=ingest_url) as to_ingest,
        normalizer.app,
        projector.app,
        serving_app(api) as api_url,
        httpx.AsyncClient(base_url=api_url) as to_api,
    ):
        placed = await to_ingest.post(
            "/v1/orders", content=json.dumps(order).encode(), headers=bearer(MERCHANT_KEY)
        )
        assert placed.status_code == 202, placed.text
        # A parcel listed, no carrier scan yet: shipped (the French page: the order's locale).
        assert await _page_until(to_api, token, "shipped") == ("shipped", "Expédiée")

        async def carrier(body: bytes) -> None:
            headers = {
                "Content-Type": "application/json",
                **suivi_headers(body, SECRET, int(time.time())),
            }
            response = await to_ingest.post("/v1/webhooks/suivi", content=body, headers=headers)
            assert response.status_code == 202, response.text

        # A shopper has the page open: the next scan shows up without a reload (projector
        # NOTIFY → API LISTEN → Server-Sent Events → the page re-fetches its fragment).
        async with async_playwright() as playwright:
            browser = await playwright.chromium.launch(
                executable_path=str(CHROMIUM), args=CHROMIUM_ARGS
            )
            try:
                page = await browser.new_page(viewport={"width": 390, "height": 844})
                await page.goto(f"{api_url}/orders/{token}")
                await page.wait_for_selector('#live[data-state="on"]', timeout=10_000)
                await page.evaluate("window.__sameDocument = true")
                before = await page.inner_text("#headline")
                await carrier(_webhook("in_transit", "arrived_at_facility", 30, "Lyon"))
                await page.wait_for_function(
                    "h => document.getElementById('headline').textContent.trim() !== h",
                    arg=before,
                    timeout=20_000,
                )
                live_headline = (await page.inner_text("#headline")).strip()
                assert await page.evaluate("window.__sameDocument") is True  # no reload
            finally:
                await browser.close()
        in_transit = await _page_until(to_api, token, "in_transit")
        await carrier(_webhook("delivered", "delivered", 1, "Évry"))
        delivered = await _page_until(to_api, token, "delivered")
        # An older scan arriving late joins the timeline but does not undo the delivery.
        await carrier(_webhook("in_transit", "departed_facility", 20, "Lyon"))
        await asyncio.sleep(2)
        late = await _page_until(to_api, token, "delivered")
        timeline = (await to_api.get(f"/v1/orders/{token}")).json()["shipments"][0]["timeline"]

    assert before == "Expédiée"
    assert in_transit[0] == "in_transit" and in_transit[1] == live_headline != before
    assert delivered[0] == "delivered" and delivered[1] != in_transit[1]
    assert late == delivered
    assert [e["status"] for e in timeline] == ["delivered", "in_transit", "in_transit"]
