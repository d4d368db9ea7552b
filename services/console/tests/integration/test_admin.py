"""`suivi-admin create-merchant` on a fresh schema: the merchant, its owner enrolled in TOTP with
the printed secret, recovery codes printed once, the record on merchants.v1."""

from __future__ import annotations

import re

import asyncpg
import httpx
import pytest

from suivi_console.admin import create_merchant, report
from suivi_console.bootstrap import ConsoleService
from suivi_console.settings import ConsoleSettings
from suivi_console.testing.harness import PASSWORD, Clock, sign_in
from suivi_infra.settings import KafkaSettings


async def test_admin_creates_a_merchant_whose_owner_signs_in_with_the_printed_totp(
    pg_pool: asyncpg.Pool, kafka_settings: KafkaSettings, merchants_topic: str,
    service: ConsoleService, clock: Clock,
) -> None:  # fmt: skip
    settings = ConsoleSettings(kafka=kafka_settings, merchants_topic=merchants_topic,
                               env="development")  # fmt: skip
    secret, codes = await create_merchant(settings, "atelier", "Atelier", "o@atelier.test",
                                          PASSWORD, pool=pg_pool)  # fmt: skip
    out = report("atelier", "o@atelier.test", secret, codes)
    assert f"secret={secret}" in out and PASSWORD not in out
    assert len(re.findall(r"^  [a-z0-9]{4}-[a-z0-9]{4}-[a-z0-9]{4}$", out, re.M)) == 10
    with pytest.raises(asyncpg.UniqueViolationError):
        await create_merchant(settings, "atelier", "A", "o@atelier.test", PASSWORD, pool=pg_pool)
    with pytest.raises(ValueError, match="password"):
        await create_merchant(settings, "other", "O", "o@other.test", "short", pool=pg_pool)

    transport = httpx.ASGITransport(app=service.app, client=("203.0.113.7", 50000))
    async with httpx.AsyncClient(transport=transport, base_url="http://console.test") as client:
        # Enrolled already: straight to the code, with the printed secret.
        assert await sign_in(client, "o@atelier.test", clock, secret) == secret
        assert (await client.get("/keys")).status_code == 200
