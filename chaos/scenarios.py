"""The faults, one scenario each: a steady stream of webhooks, the fault mid-stream, then what
was acknowledged, stored, told to shoppers, doubled, and how long until it all caught up."""

from __future__ import annotations

import asyncio
import signal
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from chaos.infra import Brokers, Postgres
from chaos.load import Probe, ReadModel, Traffic, run_tag, shopper_mail
from chaos.stack import Stack
from suivi_notifier.testing.smtp_peer import SmtpPeer


@dataclass
class Harness:
    stack: Stack
    brokers: Brokers
    postgres: Postgres
    database_url: str
    smtp: SmtpPeer

    async def restart(self, name: str, down: float = 1.0) -> None:
        """kill -9, down for `down` seconds (a supervisor's restart delay), started again."""
        self.stack.kill(name)
        await asyncio.sleep(down)
        self.stack.start(name)
        if not await asyncio.to_thread(self.stack.ready, name, 120):
            raise RuntimeError(f"{name} not ready again (see {self.stack.workdir}/{name}.log)")

    async def all_ready(self) -> None:
        for name in self.stack.processes:
            if not await asyncio.to_thread(self.stack.ready, name, 120):
                raise RuntimeError(f"{name} not ready (see {self.stack.workdir}/{name}.log)")


Fault = Callable[[Harness], Awaitable[None]]


def kill(name: str) -> Fault:
    async def fault(h: Harness) -> None:
        await h.restart(name)

    return fault


async def broker_kill(h: Harness) -> None:
    h.brokers.kill(1)
    await asyncio.sleep(5)
    await asyncio.to_thread(h.brokers.start_node, 1)


async def broker_pause(h: Harness) -> None:
    h.brokers.signal(1, signal.SIGSTOP)
    await asyncio.sleep(8)
    h.brokers.signal(1, signal.SIGCONT)


async def postgres_restart(h: Harness) -> None:
    await asyncio.to_thread(h.postgres.restart_immediate)


def lose_brokers(*nodes: int, down: float = 8.0) -> Fault:
    async def fault(h: Harness) -> None:
        for node in nodes:
            h.brokers.kill(node)
        await asyncio.sleep(down)
        for node in nodes:
            await asyncio.to_thread(h.brokers.start_node, node)

    return fault


@dataclass(frozen=True)
class Scenario:
    name: str
    fault: Fault
    cluster: bool = False  # the three-broker cluster, else the single broker
    smoke: bool = False  # in the CI version too
    fault_after: float | None = None  # seconds into the stream (default: a third of it)
    resends_allowed: int = 0  # the documented window: a notifier killed mid-send resends once
    refusals_expected: bool = False  # ingest must have answered 503 + Retry-After


SCENARIOS = [
    Scenario("kill -9 ingest", kill("ingest"), smoke=True),
    Scenario("kill -9 normalizer", kill("normalizer"), smoke=True),
    Scenario("kill -9 projector", kill("projector"), smoke=True),
    Scenario("kill -9 projections API", kill("projections-api")),
    Scenario("kill -9 notifier", kill("notifier"), resends_allowed=1),
    Scenario("kill -9 tracker", kill("tracker")),
    # dev.env's debounce is 10 s: the first parcels' messages fall due then.
    Scenario(
        "kill -9 notifier as messages fall due",
        kill("notifier"),
        smoke=True,
        fault_after=10.0,
        resends_allowed=1,
    ),
    Scenario("kill -9 the only broker", broker_kill, smoke=True),
    Scenario("broker SIGSTOP 8 s, SIGCONT", broker_pause),
    Scenario("PostgreSQL immediate restart", postgres_restart, smoke=True),
    Scenario("3 brokers: lose 1, back", lose_brokers(2), cluster=True),
    Scenario("3 brokers: lose 2, back", lose_brokers(2, 3), cluster=True, refusals_expected=True),
]


@dataclass
class Row:
    scenario: str
    sent: int
    acked: int
    stored: int
    lost: int
    doubled_rows: int
    messages_expected: int
    messages_sent: int
    messages_doubled: int
    recover_seconds: float
    p99_seconds: float
    probe_max_seconds: float  # the slowest answer to the probe during the fault
    refusals: int
    problems: list[str]


async def run(
    scenario: Scenario, h: Harness, *, rate: float, seconds: float, mail: int, settle: float
) -> Row:
    ingest_env = h.stack.env
    traffic = Traffic(
        h.stack.url("ingest"),
        ingest_env["SUIVI_INGEST_SUIVI_SECRET"],
        ingest_env["SUIVI_INGEST_MERCHANT_KEYS"].split(",")[0].split(":", 1)[1],
        run_tag(),
    )
    read = ReadModel(h.database_url, traffic.tag)
    mailed = [traffic.number(i) for i in range(mail)]
    await traffic.orders(mailed)
    await asyncio.sleep(2)  # the orders reach the notifier before their parcels' statuses
    stop = asyncio.Event()
    watcher = asyncio.create_task(read.watch(stop))
    count = int(rate * seconds)
    stream = asyncio.create_task(traffic.stream(0, count, rate))
    probe = Probe(traffic)
    probe.start()
    await asyncio.sleep(scenario.fault_after if scenario.fault_after is not None else seconds / 3)
    fault_start = time.monotonic()
    await scenario.fault(h)
    await h.all_ready()
    fault_end = time.monotonic()
    await stream
    await asyncio.to_thread(probe.stop)
    acked = {s.number for s in traffic.sent if s.acked}
    expected_mail = set(mailed) & acked
    deadline = time.monotonic() + settle
    while time.monotonic() < deadline:
        if (
            acked <= read.first_seen.keys()
            and expected_mail <= shopper_mail(h.smtp, expected_mail).keys()
        ):
            break
        await asyncio.sleep(1)
    await asyncio.sleep(3)  # anything doubled late still shows
    stop.set()
    await watcher
    rows = dict(await read.rows())
    mail_counts = shopper_mail(h.smtp, set(mailed))
    before_end = [
        read.first_seen.get(s.number) for s in traffic.sent if s.acked and s.first_at <= fault_end
    ]
    caught_up = max([t for t in before_end if t is not None], default=fault_end)
    seconds_all = sorted(t for s in traffic.sent for t in s.seconds)
    p99 = seconds_all[int(0.99 * (len(seconds_all) - 1))] if seconds_all else 0.0
    row = Row(
        scenario.name, len(traffic.sent), len(acked), len(acked & rows.keys()),
        len(acked - rows.keys()), sum(n - 1 for n in rows.values()),
        len(expected_mail), len(expected_mail & mail_counts.keys()),
        sum(n - 1 for n in mail_counts.values()),
        max(caught_up, fault_end) - fault_start, p99, probe.slowest(fault_start, fault_end),
        sum(s.retry_after for s in traffic.sent), [],
    )  # fmt: skip
    if row.lost:
        row.problems.append(f"{row.lost} acknowledged webhooks lost")
    if row.doubled_rows:
        row.problems.append(f"{row.doubled_rows} timeline rows doubled")
    if row.messages_sent < row.messages_expected:
        row.problems.append(f"{row.messages_expected - row.messages_sent} shopper messages lost")
    beyond = [n for n, c in mail_counts.items() if c > 1 + scenario.resends_allowed]
    if beyond:
        row.problems.append(f"{len(beyond)} shopper messages sent more than the window allows")
    if scenario.refusals_expected and not row.refusals:
        row.problems.append("ingest never refused with 503 + Retry-After")
    return row
