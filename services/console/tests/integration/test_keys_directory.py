"""A key created in the console reaches another service's MerchantDirectory through the real
broker; revoked, it is refused there within seconds; rotated, both work for the grace period."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable

import httpx
import pytest

from suivi_console.bootstrap import ConsoleService
from suivi_console.testing.harness import Clock, element_text, form_value, onboard, sign_in
from suivi_infra.merchants import MerchantDirectory
from suivi_infra.settings import KafkaSettings


@contextlib.asynccontextmanager
async def directory(kafka: KafkaSettings, topic: str) -> AsyncIterator[MerchantDirectory]:
    """What ingest or the projections run: the topic from the beginning, then followed."""
    found = MerchantDirectory((("legacy", "env-bootstrap-key-0001"),))
    task = asyncio.create_task(found.run(kafka, topic))
    try:
        await asyncio.wait_for(found.loaded.wait(), 20)
        yield found
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


async def within(seconds: float, condition: Callable[[], bool]) -> None:
    for _ in range(int(seconds / 0.05)):
        if condition():
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"still false after {seconds} s")


@pytest.fixture
async def client(service: ConsoleService) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=service.app, client=("203.0.113.7", 50000))
    async with httpx.AsyncClient(transport=transport, base_url="http://console.test") as http:
        yield http


async def test_created_key_works_elsewhere_and_revoked_stops_within_seconds(
    service: ConsoleService, client: httpx.AsyncClient, clock: Clock, kafka_settings: KafkaSettings,
    merchants_topic: str,
) -> None:  # fmt: skip
    await onboard(service, "atelier", "owner@atelier.test")
    await sign_in(client, "owner@atelier.test", clock)
    keys = await client.get("/keys")
    created = await client.post("/keys", data={"csrf": form_value(keys.text, "csrf"),
                                               "label": "Shopify sync"})  # fmt: skip
    assert created.status_code == 201
    key = element_text(created.text, "new-key")
    assert key.startswith("sk_atelier_")
    assert key not in (await client.get("/keys")).text  # shown once

    async with directory(kafka_settings, merchants_topic) as elsewhere:
        await within(10, lambda: elsewhere.merchant_for_key(key) == "atelier")
        assert elsewhere.merchant_for_key("env-bootstrap-key-0001") == "legacy"  # env still works
        assert elsewhere.merchant_for_key(key + "x") is None
        key_id = form_value(created.text, "key_id")
        revoked = await client.post("/keys/revoke", data={"csrf": form_value(keys.text, "csrf"),
                                                          "key_id": key_id})  # fmt: skip
        assert revoked.status_code == 200
        await within(5, lambda: elsewhere.merchant_for_key(key) is None)


async def test_rotated_key_keeps_the_old_one_for_the_grace_period(
    service: ConsoleService, client: httpx.AsyncClient, clock: Clock, kafka_settings: KafkaSettings,
    merchants_topic: str,
) -> None:  # fmt: skip
    await onboard(service, "atelier", "owner@atelier.test")
    await sign_in(client, "owner@atelier.test", clock)
    csrf = form_value((await client.get("/keys")).text, "csrf")
    created = await client.post("/keys", data={"csrf": csrf, "label": "erp"})
    old = element_text(created.text, "new-key")
    rotated = await client.post(
        "/keys/rotate", data={"csrf": csrf, "key_id": form_value(created.text, "key_id")}
    )
    new = element_text(rotated.text, "new-key")
    assert new != old
    # A directory whose clock is the console's: the old key ends 24 h after the rotation.
    now = clock
    async with directory(kafka_settings, merchants_topic) as elsewhere:
        elsewhere._clock = now  # the test moves time
        await within(10, lambda: elsewhere.merchant_for_key(new) == "atelier")
        assert elsewhere.merchant_for_key(old) == "atelier"
        clock.advance(hours=24, seconds=1)
        assert elsewhere.merchant_for_key(old) is None
        assert elsewhere.merchant_for_key(new) == "atelier"
