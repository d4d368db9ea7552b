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
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import asyncpg
import httpx
import pytest
from starlette.requests import Request
from starlette.responses import Response

from suivi_infra.kafka import make_producer
from suivi_infra.settings import KafkaSettings, PostgresSettings
from suivi_infra.testing import TopicFactory
from suivi_notifier.testing.events import order, status
from suivi_notifier.testing.http_peer import HttpPeer
from suivi_notifier.testing.smtp_peer import SmtpPeer
from suivi_notifier.testing.twilio_peer import TwilioPeer

SID, TOKEN = "AC" + "7" * 32, "kill-test-token"
PARCELS = [("ups", f"1Z999AA1{n:010d}") for n in range(8)]
# The three waves of statuses, and what each message's subject and SMS text say.
WAVES = {
    "in_transit": "has shipped",
    "out_for_delivery": "out for delivery",
    "delivered": "delivered",  # "1 of 8 parcels … delivered" … "Your order … has been delivered"
}
DEBOUNCE = 4.0  # long enough to kill the process between a wave's intake and its due time


async def until(check: Callable[[], Awaitable[bool]], seconds: float = 40) -> None:
    for _ in range(int(seconds * 10)):
        if await check():
            return
        await asyncio.sleep(0.1)
    raise AssertionError(f"not reached within {seconds} s")


@dataclass
class StallingSms(TwilioPeer):
    """Leaves the next `stall` requests unanswered (the sender is killed meanwhile)."""

    stall: int = 0
    stalled: asyncio.Event = field(default_factory=asyncio.Event)
    released: asyncio.Event = field(default_factory=asyncio.Event)

    async def messages(self, request: Request) -> Response:
        if self.stall:
            self.stall -= 1
            self.stalled.set()
            await self.released.wait()
            return Response(status_code=503)
        return await super().messages(request)


@pytest.fixture
async def sms_peer() -> AsyncIterator[tuple[StallingSms, str]]:
    peer = StallingSms(SID, TOKEN)
    server = HttpPeer(peer.app())
    await server.start()
    try:
        yield peer, server.base_url
    finally:
        peer.released.set()
        await server.stop()


Start = Callable[[], Awaitable[asyncio.subprocess.Process]]


@dataclass
class Notifier:
    """`suivi-notifier` processes on the test's topics and schema, and a session to look."""

    start: Start
    orders_topic: str
    status_topic: str
    db: asyncpg.Connection


@pytest.fixture
async def notifier(
    kafka_settings: KafkaSettings,
    kafka_topic: TopicFactory,
    postgres_settings: PostgresSettings,
    pg_schema: str,
    smtp_peer: SmtpPeer,
    sms_peer: tuple[StallingSms, str],
    unused_tcp_port: int,
) -> AsyncIterator[Notifier]:
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
        "SUIVI_NOTIFIER_LEASE_SECONDS": "600",
    }
    script = Path(sys.executable).with_name("suivi-notifier")
    base = f"http://127.0.0.1:{unused_tcp_port}"

    async def start() -> asyncio.subprocess.Process:
        started = await asyncio.create_subprocess_exec(
            str(script), env=env, stderr=subprocess.DEVNULL
        )
        started_ones.append(started)

        async def serving() -> bool:  # migrated, consuming, dispatching
            with contextlib.suppress(httpx.HTTPError):
                async with httpx.AsyncClient() as http:
                    return (await http.get(f"{base}/readyz")).status_code == 200
            return False

        await until(serving)
        return started

    started_ones: list[asyncio.subprocess.Process] = []
    db = await asyncpg.connect(
        postgres_settings.database_url, server_settings={"search_path": pg_schema}
    )
    try:
        yield Notifier(start, orders_topic, status_topic, db)
    finally:
        for process in started_ones:
            if process.returncode is None:
                process.send_signal(signal.SIGTERM)
                await asyncio.wait_for(process.wait(), 60)
        await db.close()


async def test_notifier_killed_before_messages_fall_due_loses_none_and_doubles_none(
    notifier: Notifier,
    kafka_settings: KafkaSettings,
    postgres_settings: PostgresSettings,
    pg_schema: str,
    smtp_peer: SmtpPeer,
    sms_peer: tuple[StallingSms, str],
) -> None:
    start, db = notifier.start, notifier.db
    orders_topic, status_topic = notifier.orders_topic, notifier.status_topic
    hold = await asyncpg.connect(
        postgres_settings.database_url, server_settings={"search_path": pg_schema}
    )
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
        await producer.stop()
        await hold.close()
    ledger = await db.fetch("SELECT trigger, channel, state FROM notifier_deliveries")
    mails = _tally(str(m["Subject"]) for m in smtp_peer.messages)
    texts = _tally(r.form["Body"] for r in sms_peer[0].delivered)
    expected = Counter(dict.fromkeys(WAVES.values(), len(PARCELS)))
    assert (mails, texts) == (expected, expected), f"email {dict(mails)}, sms {dict(texts)}"
    # Each parcel's own news: "k of 8 delivered" once each, "has been delivered" only at the end.
    delivered = sorted(str(m["Subject"]) for m in smtp_peer.messages if "delivered" in m["Subject"])
    assert delivered == sorted(
        [
            f"{k} of {len(PARCELS)} parcels of your order 5001 delivered"
            for k in range(1, len(PARCELS))
        ]
        + ["Your order 5001 has been delivered"]
    )
    # One mail per parcel and trigger: their Message-IDs (derived from both) all differ.
    assert len({m["Message-ID"] for m in smtp_peer.messages}) == 3 * len(PARCELS)
    assert Counter(r["state"] for r in ledger) == {"sent": 3 * 2 * len(PARCELS)}


async def test_notifier_killed_mid_send_sends_again_without_waiting_for_the_lease(
    notifier: Notifier,
    kafka_settings: KafkaSettings,
    smtp_peer: SmtpPeer,
    sms_peer: tuple[StallingSms, str],
) -> None:
    peer, _ = sms_peer
    peer.stall = 1  # the first SMS is never answered: the process is killed mid-send
    producer = make_producer(kafka_settings)
    await producer.start()
    try:
        process = await notifier.start()
        placed = order("5002", opt_sms=True, timezone="UTC", shipments=PARCELS[:1])
        shipped = status("in_transit", datetime.now(UTC), tracking_number=PARCELS[0][1])
        await producer.send_and_wait(notifier.orders_topic, placed.model_dump_json().encode())
        await producer.send_and_wait(notifier.status_topic, shipped.model_dump_json().encode())
        await asyncio.wait_for(peer.stalled.wait(), 40)
        process.send_signal(signal.SIGKILL)
        await process.wait()
        await notifier.start()
        # The lease (SUIVI_NOTIFIER_LEASE_SECONDS, 600 s here) is far from over: only the
        # claim's holder being gone lets the restarted process take the message over.
        await until(lambda: _settled(notifier.db), seconds=30)
    finally:
        await producer.stop()
    [sms] = peer.delivered
    assert "has shipped" in sms.form["Body"]
    [mail] = await smtp_peer.wait_for(1, seconds=1)
    assert "has shipped" in str(mail["Subject"])
    row = await notifier.db.fetchrow(
        "SELECT state, attempts FROM notifier_deliveries WHERE channel = 'sms'"
    )
    assert (row["state"], row["attempts"]) == ("sent", 2)


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
