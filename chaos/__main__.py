"""`python -m chaos [--smoke]`: every scenario against the real processes on the suite's own
brokers and PostgreSQL; prints one table; exits 1 when anything acknowledged was lost or
something was doubled beyond the documented window."""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import sys
import time
from pathlib import Path

import asyncpg

from chaos.infra import Brokers, Postgres
from chaos.scenarios import SCENARIOS, Harness, Row, run
from chaos.stack import ROOT, SERVICES, Stack
from suivi_notifier.testing.smtp_peer import SmtpPeer

STATE = Path(os.environ.get("SUIVI_CHAOS_DIR", ROOT / ".local" / "chaos"))
# The suite's own ports (never make up's 9092/9093/5432): brokers from BASE, PostgreSQL BASE+500.
BASE = int(os.environ.get("SUIVI_CHAOS_PORT_BASE", "19192"))


def table(rows: list[Row]) -> str:
    head = (
        "scenario", "sent", "202", "in read model", "lost", "doubled rows",
        "messages exp/sent/doubled", "recover s", "p99 answer s", "probe max s",
    )  # fmt: skip
    lines = [head] + [
        (
            r.scenario,
            str(r.sent),
            str(r.acked),
            str(r.stored),
            str(r.lost),
            str(r.doubled_rows),
            f"{r.messages_expected}/{r.messages_sent}/{r.messages_doubled}",
            f"{r.recover_seconds:.1f}",
            f"{r.p99_seconds:.2f}",
            f"{r.probe_max_seconds:.2f}",
        )
        for r in rows
    ]
    widths = [max(len(line[i]) for line in lines) for i in range(len(head))]
    out = [
        "| " + " | ".join(c.ljust(w) for c, w in zip(line, widths, strict=True)) + " |"
        for line in lines
    ]
    out.insert(1, "|" + "|".join("-" * (w + 2) for w in widths) + "|")
    return "\n".join(out)


async def _database(postgres: Postgres, name: str) -> str:
    conn = await asyncpg.connect(postgres.url("suivi"))
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()
    return postgres.url(name)


async def _stack(brokers: Brokers, url: str, smtp: SmtpPeer, work: Path, replicas: int) -> Stack:
    topics = {"SUIVI_TOPICS_REPLICATION_FACTOR": str(replicas)}
    topics["SUIVI_TOPICS_MIN_INSYNC_REPLICAS"] = str(min(replicas, 2))
    # The services' ports from BASE+700 (BASE+800 for the second stack): the suite's own range.
    ports = BASE + 700 + 100 * (replicas > 1)
    stack = Stack(brokers.bootstrap, url, work, port_base=ports, overrides={
        **topics,
        "SUIVI_NOTIFIER_SMTP_PORT": str(smtp.port),
        "SUIVI_TRACKER_MIGRATE_ON_START": "true",
        "SUIVI_INGEST_RETRY_AFTER_SECONDS": "5",
    })  # fmt: skip
    stack.env["SUIVI_TRACKER_INGEST_BASE_URL"] = stack.url("ingest")
    await asyncio.to_thread(
        lambda: __import__("subprocess").run(
            ["suivi-topics"], env=stack.env, check=True, timeout=120
        )
    )
    for command in ("suivi-projections-migrate", "suivi-notifier-migrate", "suivi-tracker-migrate"):
        try:
            await asyncio.to_thread(stack.migrate, command)
        except Exception as exc:  # a service that cannot migrate alone still migrates at start
            print(f"chaos: {command} failed ({exc.__class__.__name__}); left to the service")
    for name in SERVICES:
        if name == "tracker" and not shutil.which("suivi-tracker"):
            continue
        stack.start(name)
    return stack


async def main(smoke: bool, only: str = "") -> int:
    rate, seconds, mail, settle = (30.0, 10.0, 10, 60.0) if smoke else (50.0, 30.0, 20, 120.0)
    chosen = [s for s in SCENARIOS if (s.smoke or not smoke) and only in s.name]
    smtp = SmtpPeer()
    await smtp.start()
    single = Brokers(1, BASE, STATE / "kafka1")
    cluster = Brokers(3, BASE + 100, STATE / "kafka3")
    postgres = Postgres(BASE + 500, STATE / "pg")
    rows: list[Row] = []
    started = time.monotonic()
    try:
        await asyncio.to_thread(postgres.start)
        for brokers, replicas in ((single, 1), (cluster, 3)):
            group = [s for s in chosen if s.cluster == (brokers is cluster)]
            if not group:
                continue
            await asyncio.to_thread(brokers.fresh)
            url = await _database(postgres, f"chaos_{replicas}")
            stack = await _stack(brokers, url, smtp, STATE / f"logs{replicas}", replicas)
            harness = Harness(stack, brokers, postgres, url, smtp)
            try:
                await harness.all_ready()
                for scenario in group:
                    print(f"chaos: {scenario.name} …", flush=True)
                    rows.append(await run(scenario, harness, rate=rate, seconds=seconds,
                                          mail=mail, settle=settle))  # fmt: skip
                    print(f"chaos:   {rows[-1]}", flush=True)
            finally:
                await asyncio.to_thread(stack.stop_all)
                await asyncio.to_thread(brokers.stop)
    finally:
        await smtp.stop()
        await asyncio.to_thread(postgres.stop)
    print(table(rows))
    problems = [f"{r.scenario}: {p}" for r in rows for p in r.problems]
    refused = [f"{r.scenario}: {r.refusals}" for r in rows if r.refusals]
    print(f"503 + Retry-After answers: {', '.join(refused) or 'none'}")
    verdict = "FAILED: " + "; ".join(problems) if problems else "nothing lost, nothing doubled"
    print(f"chaos: {len(rows)} scenarios in {time.monotonic() - started:.0f} s; {verdict}")
    return 1 if problems else 0


if __name__ == "__main__":
    parser = argparse.ArgumentParser(prog="python -m chaos", description=__doc__)
    parser.add_argument("--smoke", action="store_true", help="the short CI version (≤ 4 min)")
    parser.add_argument("--only", default="", help="only scenarios whose name holds this text")
    args = parser.parse_args()
    sys.exit(asyncio.run(main(args.smoke, args.only)))
