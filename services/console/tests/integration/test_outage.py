"""PostgreSQL gone mid-request: the console's pages and forms answer a 503 page in the
reader's language with Retry-After, never a 500."""

from __future__ import annotations

import asyncpg
import httpx

from suivi_console.testing.harness import (
    PASSWORD,
    Clock,
    RecordingMailer,
    console,
    form_value,
    onboard,
    sign_in,
)
from suivi_infra.settings import KafkaSettings
from suivi_infra.tcpgate import TcpGate


async def test_pages_and_forms_answer_503_with_retry_after_when_postgresql_goes_away(
    pg_gate: tuple[asyncpg.Pool, TcpGate], kafka_settings: KafkaSettings, merchants_topic: str,
    clock: Clock, mailer: RecordingMailer,
) -> None:  # fmt: skip
    pool, gate = pg_gate
    service = await console(pool, kafka_settings, merchants_topic, clock, mailer)
    try:
        await onboard(service, "atelier", "owner@atelier.example")
        transport = httpx.ASGITransport(
            app=service.app, client=("203.0.113.7", 50000), raise_app_exceptions=False
        )
        base = "http://console.test"
        async with httpx.AsyncClient(transport=transport, base_url=base) as http:
            await sign_in(http, "owner@atelier.example", clock)
            assert (await http.get("/keys")).status_code == 200
            form = (await http.get("/signin")).text
            signin = {"email": "owner@atelier.example", "password": PASSWORD,
                      "form_token": form_value(form, "form_token")}  # fmt: skip
            await gate.close()
            german = {"accept-language": "de-DE"}
            answers = [
                await http.get("/keys", headers=german),
                await http.get("/orders", headers=german),
                await http.post("/signin", data=signin, headers=german),
            ]
    finally:
        await service.stop()
    for answer in answers:
        assert answer.status_code == 503, answer.text
        assert answer.headers["content-type"].startswith("text/html")
        assert answer.headers["Retry-After"] == "5"
        assert "nicht verfügbar" in answer.text
