"""End-to-end latency under load: signed webhooks at constant rates, POST → visible to readers.

The real processes (suivi-ingest, suivi-normalizer, suivi-projector, as the Procfile starts them)
run on their own topics, schema and consumer groups (bench/e2e_stack.py), on the shared broker and
server. vegeta (compiled; deploy/scripts/vegeta.sh builds it) POSTs pre-signed single-checkpoint
`suivi` webhooks, each for its own tracking number, at each constant rate; a poller
(bench/e2e_poll.py) reads the read model every POLL seconds for the numbers sent and not yet seen
(one missing for long: every RESOLUTION of its age): a webhook is visible when its shipment row is
committed, which is what the merchant API reads and when the status page's live
stream is told (NOTIFY at the same commit). Per webhook: visible time minus vegeta's request
start. Each process's CPU over the step tells what saturates (a warm-up at the first rate,
reported apart, takes the first load after start). The last line is the ratio of the
rate made visible to the rate ingest accepted (202) at the highest rate: its baseline in the run.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import json
import os
import resource
import subprocess
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx

from bench import quick as bench_quick
from bench.e2e_poll import CARRIER, POLL, RESOLUTION, cpu_or_none, poll
from bench.e2e_stack import Pipeline, cpu_seconds, machine_busy, shared_servers, vegeta
from suivi_infra.signing import sign

GRACE = 30.0  # seconds after the last POST for the stragglers to show
SECRET = "dev-suivi-secret"  # noqa: S105 - dev.env's public development secret


def body(number: str, at: datetime) -> bytes:
    event = {
        "code": "PU", "status": "in_transit", "substatus": "picked_up",
        "occurred_at": at.isoformat(), "location": {"city": "Lyon", "country": "FR"},
    }  # fmt: skip
    return json.dumps({"carrier": CARRIER, "tracking_number": number, "events": [event]}).encode()


def targets(url: str, numbers: list[str]) -> bytes:
    """vegeta's JSON targets, each signed now; `?n=` tells the results apart (ingest ignores it)."""
    now = datetime.now(UTC)
    lines = []
    for n, number in enumerate(numbers):
        raw = body(number, now - timedelta(minutes=1))
        signature = sign(raw, [SECRET], int(time.time()))
        lines.append(json.dumps({
            "method": "POST", "url": f"{url}/v1/webhooks/suivi?n={n}",
            "body": base64.b64encode(raw).decode(),
            "header": {"Content-Type": ["application/json"], "Suivi-Signature": [signature]},
        }))  # fmt: skip
    return ("\n".join(lines) + "\n").encode()


@dataclass
class Step:
    rate: int
    sent: int
    accepted: int
    accepted_rate: float
    visible: int
    visible_rate: float
    latencies: list[float]  # POST → visible, seconds, of the webhooks seen
    offsets: list[float]  # when each of those was sent, seconds into the step
    answers: list[float]  # POST → 202, seconds
    # Share of one core over the step, by process ("machine": all cores; "kafka", "postgres":
    # the shared servers' processes)
    cpu: dict[str, float]
    span: float  # seconds over which `cpu` was measured: the step and its stragglers
    codes: dict[int, int]  # vegeta's answers by status code (0: no answer within its timeout)
    planned: int


def pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def results(binary: str, path: Path) -> dict[int, tuple[float, float, int]]:
    """n → (request start, seconds to the answer, status code), from vegeta's results."""
    out = subprocess.run(  # noqa: S603 - the vegeta binary found by e2e_stack.vegeta
        [binary, "encode", "--to", "json", str(path)], check=True, capture_output=True
    ).stdout
    found = {}
    for line in out.splitlines():
        r = json.loads(line)
        stamp = r["timestamp"]
        head, _, frac = stamp.partition(".")
        frac_s = "".join(c for c in frac if c.isdigit())
        zone = frac[len(frac_s):] if frac else stamp[len(head):]  # fmt: skip
        start = datetime.fromisoformat(head[:19] + zone.replace("Z", "+00:00")).timestamp()
        start += float(f"0.{frac_s or 0}")
        n = int(r["url"].rsplit("n=", 1)[1])
        found[n] = (start, r["latency"] / 1e9, r["code"])
    return found


async def step(pipeline: Pipeline, binary: str, rate: int, seconds: float, tag: str) -> Step:
    count = max(1, int(rate * seconds))
    numbers = [f"E2E{tag}{rate:05d}{n:07d}" for n in range(count)]
    work = Path(tempfile.mkdtemp(prefix="e2e-"))
    (work / "targets.json").write_bytes(targets(pipeline.stack.url("ingest"), numbers))
    pids = pipeline.pids()
    cpu0 = {name: cpu_seconds(pid) for name, pid in pids.items()}
    servers = shared_servers(pipeline.kafka_ports)
    servers0 = {pid: cpu_or_none(pid) for pid in servers}
    busy0, _ = machine_busy()
    # vegeta's attack is the one child waited for during the step; this process is the poller.
    load0 = _self_and_children()
    seen: dict[str, float] = {}
    start = time.time()
    poller = asyncio.create_task(
        poll(pipeline.database_url, numbers, start, rate, seen, start + seconds + GRACE)
    )
    attack = await asyncio.create_subprocess_exec(
        binary, "attack", "-format=json", f"-targets={work / 'targets.json'}",
        f"-rate={rate}/s", f"-duration={seconds}s", "-timeout=10s", "-max-body=0",
        f"-output={work / 'results.bin'}",
    )  # fmt: skip
    await attack.wait()
    ended = time.time()
    polling = await poller
    wall = ended - start
    # The CPU is read once the poller is done (the stragglers' processing included): shares
    # over that span, not over the attack alone (they summed to more than the cores there are).
    busy1, _ = machine_busy()
    load1 = _self_and_children()
    span = time.time() - start
    cpu = {name: (cpu_seconds(pid) - cpu0[name]) / span for name, pid in pids.items()}
    # Those that lived through the step, and those born during it (the poller's backend, a
    # pool's new connections: they did the step's work too); those that ended are lost.
    for pid, server in (shared_servers(pipeline.kafka_ports) | servers).items():
        before, after = servers0.get(pid, 0.0), cpu_or_none(pid)
        if before is not None and after is not None:
            cpu[server] = cpu.get(server, 0.0) + (after - before) / span
    cpu["poller"], cpu["vegeta"] = ((b - a) / span for a, b in zip(load0, load1, strict=True))
    # Its backend ended with its connection, so it is in none of the "postgres" figures.
    cpu["poller's postgres"] = polling / span
    cpu["machine"] = (busy1 - busy0) / os.sysconf("SC_CLK_TCK") / span
    answered = results(binary, work / "results.bin")
    latencies, offsets, answers, last = [], [], [], start
    for n, (sent_at, answer, code) in answered.items():
        if code == 202:
            answers.append(answer)
            if numbers[n] in seen:
                latencies.append(max(0.0, seen[numbers[n]] - sent_at))
                offsets.append(sent_at - start)
                last = max(last, seen[numbers[n]])
    codes: dict[int, int] = {}
    for _, _, code in answered.values():
        codes[code] = codes.get(code, 0) + 1
    accepted = len(answers)
    first = min((s for s, _, _ in answered.values()), default=start)
    visible = len(latencies)
    # Over the step or until the last one showed, whichever is longer: a rate, not a burst.
    visible_rate = visible / max(wall, last - first)
    return Step(rate, len(answered), accepted, accepted / wall, visible, visible_rate, latencies,
                offsets, answers, cpu, span, codes, count)  # fmt: skip


def _self_and_children() -> tuple[float, float]:
    mine, children = (
        resource.getrusage(w) for w in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)
    )
    return mine.ru_utime + mine.ru_stime, children.ru_utime + children.ru_stime


def verdict(s: Step) -> str:
    """What gave way first: ingest (refusals, or answers so slow vegeta could not keep the rate),
    or the pipeline behind its 202s."""
    refused = {code: n for code, n in s.codes.items() if code != 202}
    unsent = f"; {s.planned - s.sent} not sent, vegeta's workers waiting on slow answers"
    if refused:
        answers = ", ".join(f"{c or 'timeout'}: {n}" for c, n in sorted(refused.items()))
        return f"ingest ({answers}{unsent if s.sent < 0.98 * s.planned else ''})"
    if s.sent < 0.98 * s.planned:
        return f"ingest's answers ({s.sent} of {s.planned} sent{unsent})"
    if s.visible < s.accepted:
        return f"the pipeline ({s.accepted - s.visible} accepted not visible in {GRACE:.0f} s)"
    if s.visible_rate < 0.95 * s.accepted_rate:
        return "the pipeline (visible slower than accepted)"
    return "nothing"


def timeline(s: Step) -> str:
    """POST → visible p99 of the webhooks sent in each second of the step: a slow start, a
    pause (a rebalance, a collection) or a queue that grows shows where it happened."""
    by_second: dict[int, list[float]] = {}
    for offset, latency in zip(s.offsets, s.latencies, strict=True):
        by_second.setdefault(max(0, int(offset)), []).append(latency * 1000)
    return "p99 by second sent: " + " ".join(
        f"{pct(v, 0.99):.0f}" for _, v in sorted(by_second.items())
    )


def per_webhook(s: Step, share: float) -> float:
    """Microseconds of CPU per webhook accepted, from a share of a core over the step."""
    return share * s.span / max(1, s.accepted) * 1e6


def report(s: Step) -> str:
    ms = [v * 1000 for v in s.latencies]
    busiest = max((k for k in s.cpu if k != "machine"), key=lambda k: s.cpu[k])
    return (
        f"{s.rate:6d}/s  gave way: {verdict(s)}\n          "
        f"sent {s.sent:6d}  202 {s.accepted:6d} ({s.accepted_rate:6.0f}/s, p99 "
        f"{pct(s.answers, 0.99) * 1000:5.0f} ms)  visible {s.visible:6d} ({s.visible_rate:6.0f}/s)"
        f"  POST→visible p50 {pct(ms, 0.5):6.0f}  p95 {pct(ms, 0.95):6.0f}  p99 "
        f"{pct(ms, 0.99):6.0f}  max {max(ms, default=float('nan')):6.0f} ms  busiest {busiest} "
        f"{s.cpu[busiest]:.0%} of a core ("
        + ", ".join(f"{k} {v:.0%}" for k, v in s.cpu.items() if k != busiest)
        + ")\n          CPU per webhook accepted: "
        # Steadier than the shares when other work shares the cores: what each one costs;
        # "pipeline" sums the processes above, "machine" adds whatever else ran meanwhile.
        + ", ".join(f"{k} {per_webhook(s, v):.0f} µs" for k, v in s.cpu.items())
        + f", pipeline {per_webhook(s, sum(v for k, v in s.cpu.items() if k != 'machine')):.0f} µs"
        + f"\n          {timeline(s)} ms"
    )


async def warm(pipeline: Pipeline, binary: str) -> None:
    """A few webhooks through, until the consumers have their partitions and the path is hot."""
    deadline = time.time() + 120
    while time.time() < deadline:
        s = await step(pipeline, binary, 20, 1, f"W{int(time.time()) % 100000:05d}")
        if s.visible == s.sent and s.sent:
            return
    raise RuntimeError(f"the pipeline shows nothing; logs in {pipeline.stack.workdir}")


async def main(
    rates: list[int], seconds: float, warmup: float, overrides: dict[str, str], quick: bool
) -> int:
    binary = vegeta()
    if binary is None:
        print("e2e latency: vegeta not found, nor buildable (deploy/scripts/vegeta.sh needs Go)")
        if quick:  # the smoke run (make bench-smoke) reports it as skipped; a full run fails
            print("skipped: no vegeta")
            return 0
        return 1
    pipeline = Pipeline(overrides)
    try:
        await pipeline.start()
        async with httpx.AsyncClient() as client:
            ready = await client.get(f"{pipeline.stack.url('ingest')}/readyz")
            ready.raise_for_status()
        await warm(pipeline, binary)
        tag = pipeline.run[:4].upper()
        print(f"end-to-end latency: signed single-checkpoint suivi webhooks, {seconds:.0f} s per "
              f"rate, vegeta → ingest → normalizer → projector → read model (polled every "
              f"{POLL * 1000:.0f} ms, one missing for long every {RESOLUTION:.0%} of its age), "
              f"everything on this machine")  # fmt: skip
        if warmup > 0:
            # The first load after start pays once for what the steps after it find ready:
            # the projector's pool opening connections under load, their backends' cold caches
            # and first plans. Shown on its own line, not mixed into the first rate's figures.
            first = await step(pipeline, binary, rates[0], warmup, f"{tag}WU")
            print("  warm-up, the first load after start (not one of the steps):\n  "
                  + report(first), flush=True)  # fmt: skip
        steps = []
        for i, rate in enumerate(rates):
            # Numbers of their own per step: a rate given twice must not find its parcels
            # already in the read model (it measured 0 ms).
            steps.append(await step(pipeline, binary, rate, seconds, f"{tag}{i:02d}"))
            print("  " + report(steps[-1]), flush=True)
    finally:
        await pipeline.stop()
    top = steps[-1]
    print(f"ratio visible/accepted at {top.rate}/s (pipeline / ingest's 202s, same step): "
          f"{top.visible_rate / max(1e-9, top.accepted_rate):.2f}")  # fmt: skip
    return 0


if __name__ == "__main__":
    quick = bench_quick()
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rates", default="200" if quick else "500,1000,1500,2000,2500,3000",
                        help="constant rates in webhooks/s, comma-separated")  # fmt: skip
    parser.add_argument("--seconds", type=float, default=5 if quick else 20, help="per rate")
    parser.add_argument(
        "--warmup", type=float, default=0 if quick else 5,
        help="seconds at the first rate before the steps, reported apart (0: none)",
    )  # fmt: skip
    parser.add_argument(
        "--set", action="append", default=[], metavar="NAME=VALUE",
        help="a service setting for this run, over dev.env's",
    )  # fmt: skip
    args = parser.parse_args()
    settings = dict(item.split("=", 1) for item in args.set)
    rates = [int(r) for r in args.rates.split(",") if r]
    raise SystemExit(asyncio.run(main(rates, args.seconds, args.warmup, settings, quick)))
