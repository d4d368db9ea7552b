"""Notifier dispatcher on the real local PostgreSQL: due ledger rows sent and recorded per
second, against a baseline of the same batches claimed and marked sent in two statements.

Rows are generated in a fresh schema by `INSERT … SELECT generate_series`: orders opted into
email and SMS, each with one shipment, and two due ledger rows per shipment (email, SMS). In the
same run:
  (a) baseline: per batch, `SELECT … FOR UPDATE SKIP LOCKED LIMIT batch` then one `UPDATE … SET
      state = 'sent'` in a transaction: the floor of any exactly-once ledger pass (no
      recipient, no render, no lease, no outcome record);
  (b) the dispatcher's cycles (load → decide → lease → render and send to zero-latency senders
      → record outcomes and results), the rows reset to due first, in deliveries per second;
  (c) the dispatcher's materialization of due triggers (one per shipment, two ledger rows each),
      in shipments per second.
The last line is the ratio b/a. `--smoke` (or BENCH_QUICK=1, `make bench-smoke`) runs the same
on 400 rows in a few seconds.
"""

from __future__ import annotations

import argparse
import asyncio
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from datetime import time as dtime

import asyncpg
from prometheus_client import CollectorRegistry
from pydantic import SecretStr

from bench import quick
from suivi_infra.settings import PostgresSettings
from suivi_notifier.adapters.merchant_book import MerchantBook
from suivi_notifier.adapters.render import Renderer
from suivi_notifier.db.migrate import migrate
from suivi_notifier.domain.planning import QuietHours
from suivi_notifier.domain.triggers import TriggerPolicy
from suivi_notifier.handlers.attempts import DispatchConfig
from suivi_notifier.handlers.channels import Channels
from suivi_notifier.handlers.dispatcher import Dispatcher
from suivi_notifier.links import Links
from suivi_notifier.metrics import NotifierMetrics
from suivi_notifier.settings import SmtpSettings
from suivi_notifier.testing.events import MemoryKafka
from suivi_notifier.testing.fakes import AcceptingSms, AcceptingSmtp

BATCH = 50
_ORDERS = """
INSERT INTO notifier_orders (merchant_id, order_number, updated_at, event_id, email, phone,
    name, opt_email, opt_sms, status_token_hash, unsubscribe_token_hash, received_at)
SELECT 'shop', 'N' || i, $1, gen_random_uuid(), 'shopper' || i || '@example.com',
    '+3361234' || lpad(i::text, 4, '0'), 'Shopper', true, true,
    sha256(('s' || i)::bytea), sha256(('u' || i)::bytea), $1
FROM generate_series(1, $2) AS i
"""
_LINKS = """
INSERT INTO notifier_order_shipments (shipment_key, merchant_id, order_number, carrier,
    tracking_number, active)
SELECT 'ups:1Z' || i, 'shop', 'N' || i, 'ups', '1Z' || i, true FROM generate_series(1, $1) AS i
"""
_LEDGER = """
INSERT INTO notifier_deliveries (shipment_key, trigger, channel, merchant_id, order_number,
    carrier, tracking_number, source_event_id, event_occurred_at, state, attempts,
    next_attempt_at, created_at, updated_at)
SELECT 'ups:1Z' || i, 'delivered', c, 'shop', 'N' || i, 'ups', '1Z' || i, gen_random_uuid(),
    $1::timestamptz, 'pending', 0, $1::timestamptz - (i % 600) * interval '1 second', $1, $1
FROM generate_series(1, $2) AS i, unnest(ARRAY['email', 'sms']) AS c
"""
_PENDING = """
INSERT INTO notifier_shipments (shipment_key, carrier, tracking_number, latest_status,
    latest_occurred_at, latest_event_id, pending_trigger, pending_event_id, pending_occurred_at,
    due_at, updated_at)
SELECT 'ups:1Z' || i, 'ups', '1Z' || i, 'out_for_delivery', $1, gen_random_uuid(),
    'out_for_delivery', gen_random_uuid(), $1, $1, $1
FROM generate_series(1, $2) AS i
"""
_RESET = """
UPDATE notifier_deliveries SET state = 'pending', attempts = 0, leased = false,
    next_attempt_at = created_at - (id % 600) * interval '1 second', sent_at = NULL
"""
_CLAIM = """
SELECT id FROM notifier_deliveries WHERE state = 'pending' AND next_attempt_at <= $1
ORDER BY next_attempt_at LIMIT $2 FOR UPDATE SKIP LOCKED
"""
_MARK = "UPDATE notifier_deliveries SET state = 'sent', sent_at = $2 WHERE id = ANY($1::bigint[])"


@dataclass(frozen=True, slots=True)
class Timing:
    rows: int
    seconds: float

    @property
    def per_second(self) -> float:
        return self.rows / self.seconds


async def generate(pool: asyncpg.Pool, shipments: int, now: datetime) -> None:
    async with pool.acquire() as conn:
        await migrate(conn)
        await conn.execute(_ORDERS, now, shipments)
        await conn.execute(_LINKS, shipments)
        await conn.execute(_LEDGER, now, shipments)
        await conn.execute("ANALYZE notifier_orders, notifier_order_shipments, notifier_deliveries")


async def baseline(pool: asyncpg.Pool, now: datetime) -> Timing:
    rows = 0
    started = time.perf_counter()
    async with pool.acquire() as conn:
        while True:
            async with conn.transaction():
                ids = [r["id"] for r in await conn.fetch(_CLAIM, now, BATCH)]
                if not ids:
                    break
                await conn.execute(_MARK, ids, now)
            rows += len(ids)
    return Timing(rows, time.perf_counter() - started)


def build(pool: asyncpg.Pool, now: datetime) -> tuple[Dispatcher, AcceptingSmtp, AcceptingSms]:
    email = AcceptingSmtp(SmtpSettings(host="smtp.invalid", from_address="shop@suivi.test"))
    sms = AcceptingSms()
    links = Links(SecretStr("bench-" * 6), "https://track.example", "https://notify.example")
    channels = Channels(Renderer(), links, MerchantBook({}, {}), email=email, sms=sms)
    quiet = QuietHours(dtime(21), dtime(8))  # the bench runs at noon UTC: no SMS deferred
    config = DispatchConfig(quiet=quiet, batch=BATCH, concurrency=16)
    built = Dispatcher(
        pool, channels, MemoryKafka(), NotifierMetrics(CollectorRegistry()),
        TriggerPolicy(), config, clock=lambda: now,
    )  # fmt: skip
    return built, email, sms


async def dispatcher(pool: asyncpg.Pool, now: datetime) -> Timing:
    async with pool.acquire() as conn:
        await conn.execute(_RESET)
    built, email, sms = build(pool, now)
    started = time.perf_counter()
    while await built.dispatch(now):
        pass
    seconds = time.perf_counter() - started
    return Timing(email.sent + sms.sent, seconds)


async def materialized(pool: asyncpg.Pool, now: datetime, shipments: int) -> Timing:
    async with pool.acquire() as conn:
        await conn.execute(_PENDING, now - timedelta(minutes=5), shipments)
        await conn.execute("ANALYZE notifier_shipments")
    built, _, _ = build(pool, now)
    done = 0
    started = time.perf_counter()
    while made := await built.materialize(now):
        done += made
    return Timing(done, time.perf_counter() - started)


async def main(shipments: int) -> None:
    settings = PostgresSettings()
    schema = f"bench_{uuid.uuid4().hex[:10]}"
    admin = await asyncpg.connect(settings.database_url)
    await admin.execute(f'CREATE SCHEMA "{schema}"')
    pool = await asyncpg.create_pool(
        settings.database_url, min_size=2, max_size=6, server_settings={"search_path": schema}
    )
    now = datetime.now(UTC).replace(hour=12, minute=0, second=0, microsecond=0)
    try:
        await generate(pool, shipments, now - timedelta(hours=1))
        base = await baseline(pool, now)
        sent = await dispatcher(pool, now)
        made = await materialized(pool, now, shipments)
    finally:
        await pool.close()
        await admin.execute(f'DROP SCHEMA "{schema}" CASCADE')
        await admin.close()
    print(f"notifier benchmark: {2 * shipments} due deliveries (email + SMS), batches of "
          f"{BATCH}, zero-latency senders, PostgreSQL on this machine")  # fmt: skip
    print(f"  (a) claim + mark sent, 2 statements   {base.per_second:10.0f} rows/s   (baseline)")
    print(f"  (b) dispatcher cycles                 {sent.per_second:10.0f} deliveries/s")
    print(f"  (c) due triggers materialized         {made.per_second:10.0f} shipments/s")
    print(f"  ratio b/a                             {sent.per_second / base.per_second:10.3f}")


def parse(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--shipments", type=int, default=5_000, help="two rows each")
    parser.add_argument(
        "--smoke", action="store_true", default=quick(), help="200 shipments (BENCH_QUICK=1)"
    )
    args = parser.parse_args(argv)
    if args.smoke:
        args.shipments = 200
    return args


if __name__ == "__main__":
    args = parse()
    asyncio.run(main(args.shipments))
