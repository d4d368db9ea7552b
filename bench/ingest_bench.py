"""Ingest requests/s with signature checking at concurrency 50, against a bare endpoint that
only produces to Kafka, both measured in the same run by wrk (Debian's package) on loopback, in
interleaved rounds. The last line is the ratio; BENCH_QUICK=1: one round of 2 s."""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

from bench import quick
from bench.e2e_stack import cpu_seconds
from bench.normalizer_bench import create_topics, delete_topics
from suivi_infra.settings import KafkaSettings
from suivi_ingest.testing.signers import easypost_headers

ROOT = Path(__file__).resolve().parents[1]
BODY = ROOT / "services/normalizer/tests/fixtures/easypost/in_transit_out_of_order.json"
SECRET = "bench-secret"  # noqa: S105 - a throwaway key for a local benchmark

LUA = """
wrk.method = "POST"
wrk.body = io.open("{body}", "rb"):read("*a")
wrk.headers["Content-Type"] = "application/json"
wrk.headers["X-Hmac-Signature"] = "{signature}"
"""


def ensure_wrk() -> str:
    found = shutil.which("wrk")
    if found:
        return found
    root = os.geteuid() == 0
    apt = ["apt-get", "install", "-y", "-qq", "--no-install-recommends", "wrk"]
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run(apt if root else ["sudo", *apt], check=True, env=env)  # noqa: S603
    return shutil.which("wrk") or sys.exit("wrk could not be installed")


def wait_http(port: int, seconds: float = 30) -> None:
    import httpx

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            httpx.post(f"http://127.0.0.1:{port}/v1/webhooks/none", content=b"{}", timeout=1)
            return
        except httpx.HTTPError:
            time.sleep(0.2)
    sys.exit(f"nothing answers on port {port}")


def run_wrk(
    wrk: str, port: int, script: Path, seconds: int, connections: int
) -> tuple[float, int, int]:
    """(requests/s, requests, non-2xx responses)."""
    out = subprocess.run(  # noqa: S603
        [wrk, "-t2", f"-c{connections}", f"-d{seconds}s", "-s", str(script),
         f"http://127.0.0.1:{port}/v1/webhooks/easypost"],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    total = int(re.search(r"(\d+) requests in", out).group(1))  # type: ignore[union-attr]
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return rps, total, int(bad.group(1)) if bad else 0


def serve(command: list[str], env: dict[str, str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen(command, env={**os.environ, **env}, cwd=ROOT)  # noqa: S603


async def main(seconds: int, connections: int, rounds: int) -> None:
    wrk = ensure_wrk()
    kafka = KafkaSettings()
    tag = uuid.uuid4().hex[:6]
    topics = [f"bench.ingest.{tag}", f"bench.bare.{tag}"]
    await create_topics(kafka, *topics)
    body = BODY.read_bytes()
    signature = easypost_headers(body, SECRET)["X-Hmac-Signature"]
    servers = {
        "bare endpoint, produce only": ([sys.executable, "-m", "bench.bare_ingest"],
            {"BENCH_TOPIC": topics[1], "BENCH_PORT": "18181"}, 18181),
        "suivi-ingest, HMAC verified": ([str(Path(sys.executable).with_name("suivi-ingest"))],
            {"SUIVI_INGEST_PORT": "18180", "SUIVI_INGEST_RAW_TOPIC": topics[0],
             "SUIVI_INGEST_EASYPOST_SECRET": SECRET, "SUIVI_INGEST_LOG_LEVEL": "WARNING"}, 18180),
    }  # fmt: skip
    results: dict[str, tuple[float, int, int]] = {}
    per_round: list[str] = []
    # The server's own CPU per request answered (/proc): what the endpoint costs, whatever
    # wrk and the broker took of the two cores meanwhile.
    cpu_us: dict[str, list[float]] = {name: [] for name in servers}
    # And the share of one core it had while wrk ran: well under 1 means it was not the limit
    # (other processes held the cores, or it waited for Kafka), so its requests/s say less.
    busy: dict[str, list[float]] = {name: [] for name in servers}
    processes = [serve(command, env) for command, env, _ in servers.values()]
    try:
        with tempfile.TemporaryDirectory() as tmp:
            script = Path(tmp) / "post.lua"
            script.write_text(LUA.format(body=BODY, signature=signature))
            for _, _, port in servers.values():
                wait_http(port)
                run_wrk(wrk, port, script, 1 if quick() else 2, connections)  # warm-up
            # Both serve at once, measured in turn (a, b, a, b…); each side's best is kept,
            # since other processes share these cores.
            for _ in range(rounds):
                this_round = []
                for process, (name, (_, _, port)) in zip(processes, servers.items(), strict=True):
                    before, started = cpu_seconds(process.pid), time.monotonic()
                    got = run_wrk(wrk, port, script, seconds, connections)
                    used = cpu_seconds(process.pid) - before
                    cpu_us[name].append(used / got[1] * 1e6)
                    busy[name].append(used / (time.monotonic() - started))
                    this_round.append(got[0])
                    if got[0] > results.get(name, (0.0, 0, 0))[0]:
                        results[name] = got
                per_round.append(f"{this_round[1] / this_round[0]:.2f}")
    finally:
        for process in processes:
            process.terminate()
            process.wait(timeout=30)
        await delete_topics(kafka, topics)
    print(
        f"ingest benchmark: EasyPost webhook of {len(body)} bytes, "
        f"{connections} connections, {seconds} s per run, wrk, best of {rounds} interleaved"
    )
    for name, (rps, total, bad) in results.items():
        cpu = min(cpu_us[name])
        print(
            f"  {name:30} {rps:10.0f} requests/s  ({total} requests, {bad} not 2xx)"
            f"  {cpu:5.0f} µs CPU/request, busy {', '.join(f'{b:.2f}' for b in busy[name])}"
        )
    (base, _, _), (ours, _, _) = results.values()
    print(f"  ingest/bare per round: {', '.join(per_round)}")
    bare_cpu, ingest_cpu = (min(v) for v in cpu_us.values())
    print(f"  CPU per request bare/ingest (least of {rounds} each): {bare_cpu / ingest_cpu:.2f}")
    print(f"ratio ingest/bare (best of {rounds} each): {ours / base:.2f}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=int, default=2 if quick() else 10, help="per run")
    parser.add_argument("--rounds", type=int, default=1 if quick() else 3, help="interleaved")
    parser.add_argument("--connections", type=int, default=50)
    args = parser.parse_args()
    asyncio.run(main(args.seconds, args.connections, args.rounds))
