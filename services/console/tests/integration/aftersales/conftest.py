"""The console in front of a real after-sales (its merchant API served over HTTP, on the test's
PostgreSQL schema and its own topics, following the console's merchants topic): the console's
internal key reaches after-sales through the broker, as in production."""

from __future__ import annotations

import re
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable

import asyncpg
import httpx
import pytest
from pydantic import SecretStr

from suivi_aftersales.bootstrap import AftersalesService, bootstrap
from suivi_aftersales.db.migrate import migrate
from suivi_aftersales.settings import AftersalesSettings
from suivi_aftersales.testing.harness import (
    SettableClock,
    Topics,
    client,
    delivered_order,
    eventually,
)
from suivi_aftersales.testing.images import photo_with_gps
from suivi_console.bootstrap import ConsoleService
from suivi_console.testing.desk import console_client, policy_form
from suivi_console.testing.harness import Clock, onboard, sign_in
from suivi_infra.browser import serve
from suivi_infra.settings import KafkaSettings
from suivi_infra.testing import TopicFactory

Opener = Callable[[str, str], Awaitable[tuple[str, str]]]


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', html)
    assert found, "the page has no form"
    return found.group(1)


@pytest.fixture
async def aftersales_topics(kafka_topic: TopicFactory) -> Topics:
    return Topics(await kafka_topic("orders"), await kafka_topic("status"),
                  await kafka_topic("returns"), await kafka_topic("dlq", 1),
                  await kafka_topic("claims"), await kafka_topic("alerts"))  # fmt: skip


@pytest.fixture
async def aftersales(
    kafka_settings: KafkaSettings, pg_pool: asyncpg.Pool, aftersales_topics: Topics,
    merchants_topic: str,
) -> AsyncIterator[AftersalesService]:  # fmt: skip
    t = aftersales_topics
    settings = AftersalesSettings(
        kafka=kafka_settings, merchant_keys=SecretStr("legacy:legacy-env-key-000000001"),
        orders_topic=t.orders, status_topic=t.status, returns_topic=t.returns,
        dlq_topic=t.dlq, claims_topic=t.claims, alerts_topic=t.alerts,
        merchants_topic=merchants_topic, group_id=f"aftersales-{uuid.uuid4().hex[:8]}",
        metrics_port=0, batch_timeout_ms=50, relay_idle_seconds=0.05, schedule_enabled=False,
    )  # fmt: skip
    async with pg_pool.acquire() as conn:
        await migrate(conn)
    service = await bootstrap(settings, pool=pg_pool, clock=SettableClock())
    await service.start()
    try:
        yield service
    finally:
        await service.stop()


@pytest.fixture
async def linked(service: ConsoleService, aftersales: AftersalesService) -> AsyncIterator[str]:
    """After-sales served over HTTP and the console pointed at it; yields its base URL."""
    async with serve(aftersales.api) as url:
        service.context.settings.aftersales_base_url = url
        yield url


@pytest.fixture
async def owners(
    service: ConsoleService, linked: str, clock: Clock
) -> AsyncIterator[tuple[httpx.AsyncClient, httpx.AsyncClient]]:
    """atelier's and northwind's owners signed in; after-sales accepts the console's keys."""
    await onboard(service, "atelier", "owner@atelier.test")
    await onboard(service, "northwind", "owner@northwind.test")
    async with console_client(service) as a, console_client(service) as b:
        await sign_in(a, "owner@atelier.test", clock)
        await sign_in(b, "owner@northwind.test", clock)
        for who in (a, b):
            await until_answered(who)
        saved = await a.post(
            "/returns/policy", data=policy_form(csrf_of((await a.get("/returns/policy")).text))
        )
        assert saved.status_code == 200, saved.text
        yield a, b


async def until_answered(console: httpx.AsyncClient, seconds: float = 20) -> None:
    """Until after-sales knows the console's key (merchants.v1 crossed the broker)."""

    async def known() -> bool:
        return (await console.get("/returns/policy")).status_code == 200

    await eventually(known, seconds)


@pytest.fixture
def shopper_return(
    kafka_settings: KafkaSettings, aftersales_topics: Topics, aftersales: AftersalesService
) -> Opener:
    """(order number, parcel) → a delivered order of atelier's and a return of 1 of its 2
    shirts asked by its shopper on after-sales' page: (page token, RMA)."""

    async def open_return(number: str, parcel: str) -> tuple[str, str]:
        token = await delivered_order(kafka_settings, aftersales_topics, aftersales, number,
                                      parcel)  # fmt: skip
        async with client(aftersales) as http:
            form = await http.get(f"/orders/{token}/returns")
            fields = {"csrf": csrf_of(form.text), "qty:l1": "1", "reason:l1": "too_small",
                      "qty:l2": "0", "reason:l2": "too_small", "method": "own_shipment",
                      "comment": "Un peu juste"}  # fmt: skip
            created = await http.post(f"/orders/{token}/returns", data=fields)
            assert created.status_code == 303, created.text
        return token, created.headers["location"].split("/")[-1].split("?")[0]

    return open_return


@pytest.fixture
def shopper_claim(
    kafka_settings: KafkaSettings, aftersales_topics: Topics, aftersales: AftersalesService
) -> Opener:
    """(order number, parcel) → a delivered order and a 'damaged' claim with a photo: (page
    token, claim id)."""

    async def open_claim(number: str, parcel: str) -> tuple[str, str]:
        token = await delivered_order(kafka_settings, aftersales_topics, aftersales, number,
                                      parcel)  # fmt: skip
        async with client(aftersales) as http:
            page = await http.get(f"/orders/{token}/claims?lang=en")
            form = {"csrf": csrf_of(page.text), "choice": f"laposte:{parcel}|damaged",
                    "description": "Carton écrasé, théière fendue"}  # fmt: skip
            photo = {"photos": ("p.jpg", photo_with_gps(), "image/jpeg")}
            opened = await http.post(f"/orders/{token}/claims?lang=en", data=form, files=photo)
            assert opened.status_code == 303, opened.text
        return token, opened.headers["location"].split("/")[-1].split("?")[0]

    return open_claim
