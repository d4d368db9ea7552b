"""Fixtures: real protocol peers on loopback, the notifier's settings pointed at them, and the
harness (decisions + sends on the real PostgreSQL server)."""

from __future__ import annotations

import base64
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime

import asyncpg
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from pydantic import SecretStr

from suivi_notifier.settings import NotifierSettings, PushSettings, SmsSettings, SmtpSettings
from suivi_notifier.testing.events import Clock
from suivi_notifier.testing.harness import Harness, harness
from suivi_notifier.testing.http_peer import HttpPeer
from suivi_notifier.testing.push_peer import PushPeer
from suivi_notifier.testing.smtp_peer import SmtpPeer
from suivi_notifier.testing.twilio_peer import TwilioPeer
from suivi_notifier.testing.webhook_peer import WebhookPeer

SMS_SID = "AC" + "0" * 30 + "42"
SMS_TOKEN = "test-auth-token"


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


@pytest.fixture
async def smtp_peer() -> AsyncIterator[SmtpPeer]:
    peer = SmtpPeer()
    await peer.start()
    try:
        yield peer
    finally:
        await peer.stop()


@pytest.fixture
async def twilio_peer() -> AsyncIterator[tuple[TwilioPeer, str]]:
    peer = TwilioPeer(SMS_SID, SMS_TOKEN)
    server = HttpPeer(peer.app())
    await server.start()
    try:
        yield peer, server.base_url
    finally:
        await server.stop()


@pytest.fixture
async def webhook_peer() -> AsyncIterator[tuple[WebhookPeer, str]]:
    """A merchant's webhook endpoint, and its base URL (POST <base>/hooks/<name>)."""
    peer = WebhookPeer()
    server = HttpPeer(peer.app())
    await server.start()
    try:
        yield peer, server.base_url
    finally:
        await server.stop()


@pytest.fixture(scope="session")
def vapid_keys() -> tuple[str, str]:
    """(private key as base64url of the raw scalar, public key as base64url point)."""
    key = ec.generate_private_key(ec.SECP256R1())
    private = key.private_numbers().private_value.to_bytes(32, "big")
    public = key.public_key().public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )
    return _b64(private), _b64(public)


@pytest.fixture
async def push_peer(vapid_keys: tuple[str, str]) -> AsyncIterator[PushPeer]:
    peer = PushPeer(vapid_keys[1])
    server = HttpPeer(peer.app())
    peer.base_url = server.base_url
    await server.start()
    try:
        yield peer
    finally:
        await server.stop()


@pytest.fixture
def make_settings(
    smtp_peer: SmtpPeer,
    twilio_peer: tuple[TwilioPeer, str],
    vapid_keys: tuple[str, str],
) -> Callable[..., NotifierSettings]:
    def make(**overrides: object) -> NotifierSettings:
        values: dict[str, object] = {
            "smtp": SmtpSettings(
                host="127.0.0.1", port=smtp_peer.port, from_address="shop@suivi.test",
                timeout_seconds=5,
            ),
            "sms": SmsSettings(
                base_url=twilio_peer[1], account_sid=SMS_SID, auth_token=SecretStr(SMS_TOKEN),
                from_number="+15005550006", timeout_seconds=5,
            ),
            "push": PushSettings(
                vapid_private_key=SecretStr(vapid_keys[0]), vapid_subject="mailto:ops@suivi.test",
                allow_insecure_endpoints=True, endpoint_hosts=["127.0.0.1"], timeout_seconds=5,
            ),
            "status_page_base_url": "https://track.suivi.test",
            "public_base_url": "https://notify.suivi.test",
            "merchant_names": {"shop": "Boutique <Lumière>"},
            "debounce_seconds": 60,
            "retry_base_seconds": 1,
            "retry_max_seconds": 4,
            "max_attempts": 4,
        }  # fmt: skip
        values.update(overrides)
        return NotifierSettings.model_validate(values)

    return make


def midday() -> datetime:
    """Today 12:00 UTC: daytime in Europe, and close enough to real time for VAPID's exp."""
    return datetime.now(UTC).replace(hour=12, minute=0, second=0, microsecond=0)


@pytest.fixture
def clock() -> Clock:
    return Clock(midday())


@pytest.fixture
async def h(
    make_settings: Callable[..., NotifierSettings], pg_pool: asyncpg.Pool, clock: Clock
) -> AsyncIterator[Harness]:
    built = await harness(make_settings(), pg_pool, clock)
    try:
        yield built
    finally:
        await built.close()
