"""A console on a test's PostgreSQL schema and merchants topic, with a clock the test moves."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg
import httpx
import pyotp
from pydantic import SecretStr

from suivi_console.bootstrap import ConsoleService, build
from suivi_console.db.migrate import migrate
from suivi_console.settings import ConsoleSettings
from suivi_infra.settings import KafkaSettings
from suivi_infra.tokens import TokenSettings

PASSWORD = "correct horse battery staple"  # noqa: S105 - tests only


class Clock:
    def __init__(self, start: datetime | None = None) -> None:
        self.now = start or datetime.now(UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@dataclass
class Mail:
    to: str
    subject: str
    text: str


@dataclass
class RecordingMailer:
    sent: list[Mail] = field(default_factory=list)

    async def send(self, to: str, subject: str, text: str) -> None:
        self.sent.append(Mail(to, subject, text))


async def console(
    pool: asyncpg.Pool, kafka: KafkaSettings, topic: str, clock: Clock, mailer: RecordingMailer,
    **overrides: Any,
) -> ConsoleService:  # fmt: skip
    """Migrated and started (producer up); the caller stops it with `service.stop()`."""
    settings = ConsoleSettings(
        kafka=kafka, merchants_topic=topic, cookie_secure=False, env="development",
        republish_seconds=3600, **overrides,
    )  # fmt: skip
    async with pool.acquire() as conn:
        await migrate(conn)
    tokens = TokenSettings(env="development", token_key=SecretStr(""))
    service = await build(settings, pool=pool, clock=clock, mailer=mailer, token_key=tokens)
    service.owns_pool = False
    await service.start()
    return service


def form_value(html: str, name: str) -> str:
    found = re.search(rf'name="{name}" value="([^"]*)"', html)
    if found is None:
        raise AssertionError(f"no {name} in the page")
    return found.group(1)


def element_text(html: str, element_id: str) -> str:
    found = re.search(rf'id="{element_id}"[^>]*>([^<]*)<', html)
    if found is None:
        raise AssertionError(f"no #{element_id} in the page")
    return found.group(1).strip()


async def sign_in(
    client: httpx.AsyncClient, email: str, clock: Clock, totp_secret: str | None = None,
    password: str = PASSWORD,
) -> str:  # fmt: skip
    """Signs in (enrolling TOTP on the way if needed); returns the account's TOTP secret."""
    page = await client.get("/signin")
    answer = await client.post("/signin", data={
        "email": email, "password": password, "form_token": form_value(page.text, "form_token"),
    })  # fmt: skip
    assert answer.status_code == 303, answer.status_code
    if answer.headers["location"] == "/signin/enrol":
        enrol = await client.get("/signin/enrol")
        secret = element_text(enrol.text, "totp-secret")
        done = await client.post("/signin/enrol", data={
            "csrf": form_value(enrol.text, "csrf"), "code": pyotp.TOTP(secret).at(clock()),
        })  # fmt: skip
        assert done.status_code == 200, done.status_code
        return secret
    assert totp_secret is not None
    code_page = await client.get("/signin/code")
    done = await client.post("/signin/code", data={
        "csrf": form_value(code_page.text, "csrf"), "code": pyotp.TOTP(totp_secret).at(clock()),
    })  # fmt: skip
    assert done.status_code == 303, done.status_code
    return totp_secret


async def onboard(service: ConsoleService, merchant_id: str, email: str) -> int:
    return await service.context.merchants.onboard(
        merchant_id, merchant_id.title(), email, PASSWORD
    )
