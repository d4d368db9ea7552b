"""`suivi-wait`: waits until Kafka and PostgreSQL really answer (a metadata request, a query)."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
import time

import asyncpg
from aiokafka.admin import AIOKafkaAdminClient

from suivi_infra.settings import KafkaSettings, PostgresSettings


async def kafka_answers(settings: KafkaSettings, probe_seconds: float = 5.0) -> bool:
    """True when the cluster answers a metadata request and has a live controller."""
    admin = AIOKafkaAdminClient(
        bootstrap_servers=settings.bootstrap_servers,
        client_id=f"{settings.client_id}-readiness",
        request_timeout_ms=int(probe_seconds * 1000),
    )
    try:
        await asyncio.wait_for(admin.start(), probe_seconds)
        cluster = await asyncio.wait_for(admin.describe_cluster(), probe_seconds)
        return bool(cluster.get("brokers")) and cluster.get("controller_id", -1) >= 0
    except Exception:  # any failure means "not ready yet"
        return False
    finally:
        await admin.close()


async def postgres_answers(settings: PostgresSettings, probe_seconds: float = 5.0) -> bool:
    try:
        conn = await asyncpg.connect(settings.database_url, timeout=probe_seconds)
    except (TimeoutError, OSError, asyncpg.PostgresError):
        return False
    try:
        return bool(await conn.fetchval("SELECT 1", timeout=probe_seconds) == 1)
    except (TimeoutError, OSError, asyncpg.PostgresError):
        return False
    finally:
        await conn.close()


async def wait_until(check: str, deadline: float) -> bool:
    while True:
        ok = await (
            kafka_answers(KafkaSettings())
            if check == "kafka"
            else postgres_answers(PostgresSettings())
        )
        if ok:
            return True
        if time.monotonic() >= deadline:
            return False
        await asyncio.sleep(0.5)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="suivi-wait", description=__doc__)
    parser.add_argument("--kafka", action="store_true", help="wait for the Kafka cluster")
    parser.add_argument("--postgres", action="store_true", help="wait for PostgreSQL")
    parser.add_argument("--timeout", type=float, default=90.0, help="seconds (default 90)")
    args = parser.parse_args(argv)
    # Refused connections are expected while a server starts: say only the outcome.
    logging.getLogger("aiokafka").setLevel(logging.CRITICAL)
    checks = [c for c, on in (("kafka", args.kafka), ("postgres", args.postgres)) if on]
    if not checks:
        parser.error("say what to wait for: --kafka and/or --postgres")
    started = time.monotonic()
    deadline = started + args.timeout

    async def run() -> list[str]:
        results = await asyncio.gather(*(wait_until(c, deadline) for c in checks))
        return [c for c, ok in zip(checks, results, strict=True) if not ok]

    failed = asyncio.run(run())
    if failed:
        print(
            f"suivi-wait: no answer from {', '.join(failed)} within {args.timeout:.0f}s",
            file=sys.stderr,
        )
        return 1
    print(f"suivi-wait: {' and '.join(checks)} answering after {time.monotonic() - started:.1f}s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
