"""`suivi-notifier` killed with SIGKILL while debounced messages wait for their window, the next
statuses arriving while it is down: once restarted, every message arrives, none twice."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import subprocess
import sys
import uuid
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import asyncpg
import httpx
import pytest

from suivi_infra.kafka import make_producer
from suivi_infra.settings import KafkaSettings, PostgresSettings
from suivi_infra.testing import TopicFactory
from suivi_notifier.testing.events import order, status
from suivi_notifier.testing.http_peer import HttpPeer
from suivi_notifier.testing.smtp_peer import SmtpPeer
from suivi_notifier.testing.twilio_peer import TwilioPeer

pytestmark = pytest.mark.integration

SID, TOKEN = "AC" + "7" * 32, "kill-test-token"
PARCELS = [("ups", f"1Z999AA1{n:010d}") for n in range(8)]
# The three waves of statuses, and what each message's subject and SMS text say.
WAVES = {
    "in_transit": "has shipped",
    "out_for_delivery": "out for delivery",
    "delivered": "has been delivered",
}
DEBOUNCE = 4.0  # long enough to kill the process between a wave's intake and its due time


async def until(check: Callable[[], Awaitable[bool]], seconds: float = 40) -> None:
    for _ in range(int(seconds * 10)):
        if await check():
            return
        await asyncio.sleep(0.1)
    raise AssertionError(f"not reached within {seconds} s")


@pytest.fixture
async def sms_peer() -> AsyncIterator[tuple[TwilioPeer, str]]:
    peer = TwilioPeer(SID, TOKEN)
    server = HttpPeer(peer.app())
    await server.start()
    try:
        yield peer, server.base_url
    finally:
        await server.stop()


async def test_notifier_killed_before_messages_fall_due_loses_none_and_doubles_none(
    kafka_settings: KafkaSettings,
    kafka_topic: TopicFactory,
    postgres_settings: PostgresSettings,
    pg_schema: str,
    smtp_peer: SmtpPeer,
    sms_peer: tuple[TwilioPeer, str],
    unused_tcp_port: int,
) -> None:
    orders_topic, status_topic = await kafka_topic("orders"), await kafka_topic("status")
    env = {
        **os.environ,
        "KAFKA_BOOTSTRAP_SERVERS": kafka_settings.bootstrap_env,
        "DATABASE_URL": f"{postgres_settings.database_url}?search_path={pg_schema}",
        "SUIVI_NOTIFIER_ORDERS_TOPIC": orders_topic,
        "SUIVI_NOTIFIER_STATUS_TOPIC": status_topic,
        "SUIVI_NOTIFIER_ALERTS_TOPIC": await kafka_topic("alerts", partitions=1),
        "SUIVI_NOTIFIER_RESULTS_TOPIC": await kafka_topic("results"),
        "SUIVI_NOTIFIER_DLQ_TOPIC": await kafka_topic("dlq", partitions=1),
        "SUIVI_NOTIFIER_ENSURE_DLQ_TOPIC": "false",
        "SUIVI_NOTIFIER_GROUP_ID": f"kill-{uuid.uuid4().hex[:8]}",
        "SUIVI_NOTIFIER_PORT": str(unused_tcp_port),
        "SUIVI_NOTIFIER_DEBOUNCE_SECONDS": str(DEBOUNCE),
        "SUIVI_NOTIFIER_POLL_INTERVAL_SECONDS": "0.2",
        "SUIVI_NOTIFIER_SMTP_HOST": "127.0.0.1",
        "SUIVI_NOTIFIER_SMTP_PORT": str(smtp_peer.port),
        "SUIVI_NOTIFIER_SMS_BASE_URL": sms_peer[1],
        "SUIVI_NOTIFIER_SMS_ACCOUNT_SID": SID,
        "SUIVI_NOTIFIER_SMS_AUTH_TOKEN": TOKEN,
        "SUIVI_NOTIFIER_SMS_FROM_NUMBER": "+15005550006",
        "SUIVI_NOTIFIER_SMS_QUIET_START": "00:00",  # no quiet hours: SMS go out at once
        "SUIVI_NOTIFIER_SMS_QUIET_END": "00:00",
    }
    script = Path(sys.executable).with_name("suivi-notifier")
    base = f"http://127.0.0.1:{unused_tcp_port}"

    async def start() -> asyncio.subprocess.Process:
        started = await asyncio.create_subprocess_exec(
            str(script), env=env, stderr=subprocess.DEVNULL
        )

        async def serving() -> bool:  # migrated, consuming, dispatching
            with contextlib.suppress(httpx.HTTPError):
                async with httpx.AsyncClient() as http:
                    return (await http.get(f"{base}/readyz")).status_code == 200
            return False

        await until(serving)
        return started

    db, hold = [
        await asyncpg.connect(
            postgres_settings.database_url, server_settings={"search_path": pg_schema}
        )
        for _ in range(2)
    ]
    producer = make_producer(kafka_settings)
    await producer.start()
    process = await start()
    try:
        placed = order("5001", opt_sms=True, timezone="UTC", shipments=PARCELS)
        await producer.send_and_wait(orders_topic, placed.model_dump_json().encode())
        first = datetime.now(UTC) - timedelta(hours=1)
        for i, wave in enumerate(WAVES):
            for carrier, number in PARCELS:
                event = status(
                    wave, first + timedelta(minutes=i), carrier=carrier, tracking_number=number
                )
                await producer.send_and_wait(status_topic, event.model_dump_json().encode())
            if i > 0:  # sent while the process is down, once the previous wave fell due
                await asyncio.sleep(DEBOUNCE + 0.5)
                # Restarted, which reads the wave first: the intake or the dispatcher? The
                # parcels' rows stay locked (as by a dispatcher killed inside its transaction)
                # until the intake waits for them, so it goes first, every run.
                async with hold.transaction():
                    await hold.execute("SELECT 1 FROM notifier_shipments FOR UPDATE")
                    process = await start()
                    await until(lambda: _blocked_by(db, hold.get_server_pid()))

            async def read_and_quiet(wave: str = wave) -> bool:
                # The wave is read (its window open) and nothing is being sent.
                waiting = await db.fetchval(
                    "SELECT count(*) FROM notifier_shipments WHERE pending_trigger = $1", wave
                )
                sending = await db.fetchval(
                    "SELECT count(*) FROM notifier_deliveries WHERE state = 'pending'"
                )
                return bool(waiting == len(PARCELS) and sending == 0)

            await until(read_and_quiet)
            process.send_signal(signal.SIGKILL)
            await process.wait()
        process = await start()
        await until(lambda: _settled(db), seconds=30)
        await asyncio.sleep(1)  # a duplicate would arrive now
    finally:
        if process.returncode is None:
            process.send_signal(signal.SIGTERM)
            await asyncio.wait_for(process.wait(), 60)
        await producer.stop()
        ledger = await db.fetch("SELECT trigger, channel, state FROM notifier_deliveries")
        await db.close()
        await hold.close()
    mails = _tally(str(m["Subject"]) for m in smtp_peer.messages)
    texts = _tally(r.form["Body"] for r in sms_peer[0].delivered)
    expected = Counter(dict.fromkeys(WAVES.values(), len(PARCELS)))
    assert (mails, texts) == (expected, expected), f"email {dict(mails)}, sms {dict(texts)}"
    # One mail per parcel and trigger: their Message-IDs (derived from both) all differ.
    assert len({m["Message-ID"] for m in smtp_peer.messages}) == 3 * len(PARCELS)
    assert Counter(r["state"] for r in ledger) == {"sent": 3 * 2 * len(PARCELS)}


async def _blocked_by(db: asyncpg.Connection, pid: int) -> bool:
    waiting = await db.fetchval(
        "SELECT count(*) FROM pg_stat_activity WHERE $1 = ANY(pg_blocking_pids(pid))", pid
    )
    return bool(waiting)


async def _settled(db: asyncpg.Connection) -> bool:
    """Nothing waits for its window, nothing waits to be sent."""
    waiting = await db.fetchval(
        "SELECT (SELECT count(*) FROM notifier_shipments WHERE pending_trigger IS NOT NULL)"
        " + (SELECT count(*) FROM notifier_deliveries WHERE state = 'pending')"
    )
    return bool(waiting == 0)


def _tally(texts: Iterable[str]) -> Counter[str]:
    """Messages per wave, by the phrase each trigger's headline carries."""
    return Counter(phrase for text in texts for phrase in WAVES.values() if phrase in text)
