"""The console's merchants reach the other services through the real broker: a key created in
the console opens ingest's order API within seconds and is refused there within seconds of its
revocation (the environment keys keep working); the console's orders page, fed by the
projections' merchant API with the console's own key, finds an order needing attention."""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable

import asyncpg
import httpx
import pytest
from pydantic import SecretStr
from tests.integration.test_order_page_end_to_end import serving_app
from tests.integration.test_webhook_to_status import serving

from suivi_console.bootstrap import ConsoleService
from suivi_console.testing.harness import (
    Clock,
    RecordingMailer,
    console,
    element_text,
    form_value,
    onboard,
    sign_in,
)
from suivi_infra.settings import KafkaSettings, PostgresSettings
from suivi_infra.testing import TopicFactory
from suivi_ingest.settings import IngestSettings
from suivi_ingest.testing.signers import bearer, suivi_headers
from suivi_normalizer.bootstrap import bootstrap as normalizer_service
from suivi_normalizer.settings import NormalizerSettings
from suivi_projections.bootstrap import bootstrap as projector_service
from suivi_projections.settings import ProjectionsSettings
from suivi_projections.web.bootstrap import build_api
from suivi_projections.web.settings import ApiSettings

pytestmark = pytest.mark.integration

ENV_KEY = "env-bootstrap-key-0123456789"
SECRET = "console-e2e-webhook-secret"


async def within(seconds: float, check: Callable[[], Awaitable[bool]]) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if await check():
            return
        await asyncio.sleep(0.1)
    raise AssertionError(f"still false after {seconds} s")


@pytest.fixture
async def merchants_topic(kafka_topic: TopicFactory) -> str:
    return await kafka_topic("merchants", partitions=3, **{"cleanup.policy": "compact"})


@pytest.fixture
def clock() -> Clock:
    return Clock()  # the console's: the tests' TOTP codes are computed at its time


@pytest.fixture
async def service(
    pg_pool: asyncpg.Pool, kafka_settings: KafkaSettings, merchants_topic: str, clock: Clock
) -> AsyncIterator[ConsoleService]:
    started = await console(pg_pool, kafka_settings, merchants_topic, clock, RecordingMailer())
    try:
        yield started
    finally:
        await started.stop()


def order(number: str) -> bytes:
    return json.dumps({
        "order_number": number,
        "placed_at": "2026-11-20T09:00:00+01:00",
        "customer": {"email": "camille@example.fr", "locale": "fr", "timezone": "Europe/Paris"},
        "line_items": [{"line_item_id": "L1", "title": "Théière", "quantity": 1}],
        "shipments": [{"carrier": "La Poste", "tracking_number": "6A42424242424",
                       "items": [{"line_item_id": "L1", "quantity": 1}]}],
    }).encode()  # fmt: skip


async def test_a_console_key_opens_ingest_and_its_revocation_closes_it_within_seconds(
    service: ConsoleService, kafka_settings: KafkaSettings, kafka_topic: TopicFactory,
    merchants_topic: str, clock: Clock,
) -> None:  # fmt: skip
    orders = await kafka_topic("orders")
    await onboard(service, "atelier", "owner@atelier.test")
    ingest = IngestSettings(
        kafka=kafka_settings, orders_topic=orders, merchants_topic=merchants_topic,
        merchant_keys=SecretStr(f"legacy:{ENV_KEY}"), metrics_port=0,
    )  # fmt: skip
    transport = httpx.ASGITransport(app=service.app, client=("203.0.113.7", 50000))
    async with (
        httpx.AsyncClient(transport=transport, base_url="http://console.test") as browser,
        serving(ingest) as ingest_url,
        httpx.AsyncClient(base_url=ingest_url) as to_ingest,
    ):
        await sign_in(browser, "owner@atelier.test", clock)
        keys = await browser.get("/keys")
        created = await browser.post("/keys", data={"csrf": form_value(keys.text, "csrf"),
                                                    "label": "orders"})  # fmt: skip
        key = element_text(created.text, "new-key")
        run = uuid.uuid4().hex[:6]

        async def accepted(with_key: str) -> bool:
            answer = await to_ingest.post("/v1/orders", content=order(f"C-{run}"),
                                          headers=bearer(with_key))  # fmt: skip
            return answer.status_code == 202

        await within(10, lambda: accepted(key))
        assert await accepted(ENV_KEY)  # the bootstrap path still works
        revoked = await browser.post("/keys/revoke", data={
            "csrf": form_value(keys.text, "csrf"), "key_id": form_value(created.text, "key_id"),
        })  # fmt: skip
        assert revoked.status_code == 200

        async def refused() -> bool:
            return not await accepted(key)

        started = time.monotonic()
        await within(5, refused)
        assert time.monotonic() - started < 5
        assert await accepted(ENV_KEY)


async def test_the_console_orders_page_finds_the_order_needing_attention(
    service: ConsoleService, kafka_settings: KafkaSettings, kafka_topic: TopicFactory,
    merchants_topic: str, postgres_settings: PostgresSettings, pg_schema: str, clock: Clock,
) -> None:  # fmt: skip
    raw, status, orders, alerts = [
        await kafka_topic(n) for n in ("raw", "status", "orders", "alerts")
    ]
    dlq = await kafka_topic("dlq", partitions=1)
    joiner = "&" if "?" in postgres_settings.database_url else "?"
    database = PostgresSettings(
        database_url=f"{postgres_settings.database_url}{joiner}search_path={pg_schema}"
    )
    run = uuid.uuid4().hex[:8]
    await onboard(service, "atelier", "owner@atelier.test")
    await onboard(service, "northwind", "owner@northwind.test")
    ingest = IngestSettings(
        kafka=kafka_settings, raw_topic=raw, orders_topic=orders, suivi_secret=SecretStr(SECRET),
        merchants_topic=merchants_topic, metrics_port=0,
    )  # fmt: skip
    normalizer = normalizer_service(
        NormalizerSettings(kafka=kafka_settings, raw_topic=raw, status_topic=status,
                           dlq_topic=dlq, group_id=f"n-{run}", metrics_port=0),
        serve_metrics=False,
    )  # fmt: skip
    projector = projector_service(
        ProjectionsSettings(kafka=kafka_settings, postgres=database, status_topic=status,
                            orders_topic=orders, dlq_topic=dlq, alerts_topic=alerts,
                            group_id=f"p-{run}", metrics_port=0),
        serve_metrics=False,
    )  # fmt: skip
    api, _ = build_api(
        ApiSettings(
            postgres=database,
            kafka=kafka_settings,
            merchants_topic=merchants_topic,
            api_metrics_port=0,
        )
    )
    number = f"ATT-{run}"
    async with (
        serving(ingest) as ingest_url,
        httpx.AsyncClient(base_url=ingest_url) as to_ingest,
        normalizer.app,
        projector.app,
        serving_app(api) as api_url,
    ):
        service.context.settings.projections_base_url = api_url
        transport = httpx.ASGITransport(app=service.app, client=("203.0.113.7", 50000))
        async with (
            httpx.AsyncClient(transport=transport, base_url="http://console.test") as owner,
            httpx.AsyncClient(transport=transport, base_url="http://console.test") as other,
        ):
            await sign_in(owner, "owner@atelier.test", clock)
            await sign_in(other, "owner@northwind.test", clock)
            keys = await owner.get("/keys")
            created = await owner.post("/keys", data={"csrf": form_value(keys.text, "csrf"),
                                                      "label": "shop"})  # fmt: skip
            key = element_text(created.text, "new-key")

            async def placed() -> bool:
                answer = await to_ingest.post("/v1/orders", content=order(number),
                                              headers=bearer(key))  # fmt: skip
                return answer.status_code == 202

            await within(10, placed)
            at = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() - 600))
            body = json.dumps(
                {
                    "carrier": "colissimo",
                    "tracking_number": "6A42424242424",
                    "events": [
                        {
                            "status": "delivery_attempt_failed",
                            "substatus": "recipient_unavailable",
                            "occurred_at": at,
                            "location": {"city": "Lyon", "country": "FR"},
                        }
                    ],
                }
            ).encode()
            headers = {"Content-Type": "application/json",
                       **suivi_headers(body, SECRET, int(time.time()))}  # fmt: skip
            assert (await to_ingest.post("/v1/webhooks/suivi", content=body,
                                         headers=headers)).status_code == 202  # fmt: skip

            async def listed() -> bool:
                page = await owner.get("/orders", params={"status": "needs_attention"})
                return number in page.text

            await within(30, listed)
            page = await owner.get("/orders", params={"status": "delivered"})
            assert number not in page.text
            assert number not in (await other.get("/orders")).text  # another merchant's console
            found = await owner.get("/orders", params={"q": number})
            assert "/orders/" in found.text.split(number, 1)[1]  # the shopper's status page link
