"""The platform as `make run` runs it, observed: deploy/Procfile under the same supervisor
(deploy/run/supervise.py, honcho) with deploy/run/dev.env, on the real Kafka and PostgreSQL but on
topics, consumer groups, a PostgreSQL schema and ports of its own; the demo in fast mode; a
Prometheus (the Procfile's, with a copy of deploy/prometheus/prometheus.yml pointing at those
ports) asked over its HTTP API for every service's key metrics. Then Ctrl-C (SIGINT to the
supervisor) must stop every process it started."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import re
import shlex
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from honcho.environ import parse as honcho_env  # type: ignore[import-untyped]
from tests.observability import miniyaml
from tests.observability.metricnames import PROMETHEUS_MADE, exported_names, expr_metric_names

from suivi_infra.settings import KafkaSettings, PostgresSettings
from suivi_infra.testing import free_port

pytestmark = [pytest.mark.integration, pytest.mark.timeout(240)]

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
PROCESSES = [
    "ingest",
    "normalizer",
    "projector",
    "projections-api",
    "notifier",
    "tracker",
    "aftersales",
    "console",
    "peers",
    "prometheus",
]
# Prometheus job → the stack's port variable (the jobs of deploy/prometheus/prometheus.yml).
JOBS = {
    "suivi-ingest": ("SUIVI_INGEST_METRICS_PORT", 8088),
    "suivi-normalizer": ("SUIVI_NORMALIZER_METRICS_PORT", 8083),
    "suivi-projector": ("SUIVI_PROJECTIONS_METRICS_PORT", 8084),
    "suivi-projections-api": ("SUIVI_PROJECTIONS_API_METRICS_PORT", 8089),
    "suivi-notifier": ("SUIVI_NOTIFIER_PORT", 8082),
    "suivi-tracker": ("SUIVI_TRACKER_METRICS_PORT", 8087),
    "suivi-aftersales": ("SUIVI_AFTERSALES_METRICS_PORT", 8095),
    "suivi-console": ("SUIVI_CONSOLE_METRICS_PORT", 8092),
}
# The key metrics of each service: found scraped by Prometheus and above zero after the demo.
KEY_METRICS = {
    "suivi-ingest": [
        'sum(suivi_ingest_requests_total{code="202"})',
        'sum(suivi_ingest_order_requests_total{code="202"})',
        "sum(suivi_ingest_signature_failures_total)",
        "sum(suivi_ingest_publish_duration_seconds_count)",
    ],
    "suivi-normalizer": [
        "sum(suivi_normalizer_events_published_total)",
        "sum(suivi_normalizer_dead_letters_total)",
        "sum(suivi_normalizer_duplicate_events_total)",
        "sum(suivi_normalizer_publish_lag_seconds_count)",
        "count(suivi_kafka_consumer_lag)",  # present (its value is 0 once caught up)
    ],
    "suivi-projector": [
        "sum(suivi_projections_events_applied_total)",
        "sum(suivi_projections_batch_duration_seconds_count)",
        "count(suivi_projections_freshness_seconds >= 0)",  # a number, no longer NaN
        'sum(suivi_projections_alerts_total{kind="stalled"})',  # the demo's silent parcel
    ],
    "suivi-projections-api": ["sum(suivi_projections_api_requests_total)"],
    "suivi-notifier": [
        'sum(suivi_notifier_messages_total{outcome="sent"})',
        "sum(suivi_notifier_events_total)",
        "sum(suivi_notifier_send_duration_seconds_count)",
        'sum(suivi_notifier_messages_total{trigger="stalled", outcome="sent"})',  # the shopper
    ],
    # Every order's parcels start a tracking; the tracked stories' ones are polled or registered.
    "suivi-tracker": [
        "sum(suivi_tracker_started_total)",
        "sum(suivi_tracker_trackings)",
        'sum(suivi_tracker_polls_total{action="poll"})',
        'sum(suivi_tracker_polls_total{action="register"})',
    ],
    # After-sales learns every order and status event (returns need a shopper: none here).
    "suivi-aftersales": ["sum(suivi_aftersales_consumed_records_total)"],
    # The merchant suivi-admin created is published on merchants.v1 when the console starts.
    "suivi-console": ["sum(suivi_console_records_published_total)"],
}


def port_open(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex(("127.0.0.1", port)) == 0


@dataclass
class Stack:
    env: dict[str, str]
    workdir: Path
    supervisor: subprocess.Popen[bytes] | None = None
    groups: dict[str, int] = field(default_factory=dict)  # process → its process group

    @property
    def log(self) -> Path:
        return self.workdir / "honcho.log"

    def port(self, variable: str) -> int:
        return int(self.env[variable])

    def url(self, variable: str) -> str:
        return f"http://127.0.0.1:{self.port(variable)}"

    @property
    def prometheus(self) -> str:
        return self.url("SUIVI_PROMETHEUS_PORT")

    def ports(self) -> list[int]:
        names = [v for v, _ in JOBS.values()]
        names += ["SUIVI_INGEST_PORT", "SUIVI_PROJECTIONS_PORT", "SUIVI_TRACKER_PORT"]
        names += ["SUIVI_AFTERSALES_PORT", "SUIVI_CONSOLE_PORT"]
        names += ["SUIVI_DEMO_PEERS_PORT", "SUIVI_NOTIFIER_SMTP_PORT", "SUIVI_DEMO_STANDINS_PORT"]
        names += ["SUIVI_PROMETHEUS_PORT"]
        return [self.port(n) for n in names]

    def tail(self, lines: int = 80) -> str:
        if not self.log.exists():
            return ""
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])

    def started_groups(self) -> dict[str, int]:
        """honcho starts each process in its own session: its pid is its process group."""
        if self.log.exists():
            for name, pid in re.findall(r"(\S+)\.1 started \(pid=(\d+)\)", self.log.read_text()):
                self.groups[name] = int(pid)
        return self.groups

    def start(self) -> None:
        """`make run`'s supervisor on the Procfile, without the demo (run apart, in fast mode)."""
        command = [
            sys.executable, "deploy/run/supervise.py", "start", "--no-colour",
            "-f", "deploy/Procfile", "-e", str(self.workdir / "stack.env"), "-d", str(ROOT),
            *PROCESSES,
        ]  # fmt: skip
        with self.log.open("wb") as log:
            self.supervisor = subprocess.Popen(  # noqa: S603 - the repository's own supervisor
                command, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL
            )

    def stop(self, timeout: float = 45) -> int | None:
        """Ctrl-C: SIGINT to the supervisor, as a terminal sends it."""
        if self.supervisor is None:
            return None
        self.started_groups()
        if self.supervisor.poll() is None:
            self.supervisor.send_signal(signal.SIGINT)
        try:
            return self.supervisor.wait(timeout)
        except subprocess.TimeoutExpired:
            return None

    def kill_leftovers(self) -> None:
        """Last resort, only for what this test started: its supervisor and process groups."""
        if self.supervisor is not None and self.supervisor.poll() is None:
            self.supervisor.kill()
            self.supervisor.wait(10)
        for pgid in self.started_groups().values():
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(pgid, signal.SIGKILL)


async def run_script(
    script: str, args: list[str], env: dict[str, str], seconds: float
) -> tuple[int, str]:
    """One of the virtualenv's scripts (`python` included), from the repository root."""
    process = await asyncio.create_subprocess_exec(
        Path(sys.executable).with_name(script), *args, cwd=ROOT, env=env,
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
    )  # fmt: skip
    output, _ = await asyncio.wait_for(process.communicate(), seconds)
    return process.returncode or 0, output.decode(errors="replace")


def standin_urls(port: int) -> dict[str, str]:
    """dev.env's tracker sources, pointed at this stack's stand-ins."""
    env = honcho_env((DEPLOY / "run" / "dev.env").read_text())
    fixed = "http://127.0.0.1:8090"
    return {
        name: value.replace(fixed, f"http://127.0.0.1:{port}")
        for name, value in env.items()
        if name.endswith("__BASE_URL") and value.startswith(fixed)
    }


def stack_env(
    kafka: KafkaSettings, database_url: str, topics: dict[str, str], workdir: Path
) -> dict[str, str]:
    env: dict[str, str] = dict(honcho_env((DEPLOY / "run" / "dev.env").read_text()))
    run = uuid.uuid4().hex[:8]
    ports = {variable: free_port() for variable, _ in JOBS.values()}
    # The public ports; metrics have their own.
    ports["SUIVI_INGEST_PORT"], ports["SUIVI_PROJECTIONS_PORT"] = free_port(), free_port()
    ports["SUIVI_TRACKER_PORT"], ports["SUIVI_DEMO_STANDINS_PORT"] = free_port(), free_port()
    ports["SUIVI_AFTERSALES_PORT"], ports["SUIVI_CONSOLE_PORT"] = free_port(), free_port()
    peers, smtp, prometheus = free_port(), free_port(), free_port()
    api, notifier = ports["SUIVI_PROJECTIONS_PORT"], ports["SUIVI_NOTIFIER_PORT"]
    env.update({k: str(v) for k, v in ports.items()})
    env.update(
        {
            "KAFKA_BOOTSTRAP_SERVERS": kafka.bootstrap_env,
            "DATABASE_URL": database_url,
            "SUIVI_DEMO_PEERS_PORT": str(peers),
            "SUIVI_NOTIFIER_SMTP_PORT": str(smtp),
            "SUIVI_PROMETHEUS_PORT": str(prometheus),
            "SUIVI_PROMETHEUS_CONFIG": str(workdir / "prometheus.yml"),
            "SUIVI_PROMETHEUS_DATA": str(workdir / "prometheus-data"),
            "SUIVI_DEMO_DIR": str(workdir / "demo"),
            "SUIVI_DEMO_PUSH_URL": f"http://127.0.0.1:{peers}",
            "SUIVI_NOTIFIER_SMS_BASE_URL": f"http://127.0.0.1:{peers}",
            "SUIVI_NOTIFIER_STATUS_PAGE_BASE_URL": f"http://127.0.0.1:{api}",
            "SUIVI_NOTIFIER_PUBLIC_BASE_URL": f"http://127.0.0.1:{notifier}",
            "SUIVI_NOTIFIER_CORS_ORIGINS": json.dumps([f"http://127.0.0.1:{api}"]),
            "SUIVI_NOTIFIER_DEBOUNCE_SECONDS": "1",
            "SUIVI_NOTIFIER_POLL_INTERVAL_SECONDS": "0.2",
            "SUIVI_INGEST_RAW_TOPIC": topics["raw"],
            "SUIVI_INGEST_ORDERS_TOPIC": topics["orders"],
            "SUIVI_NORMALIZER_RAW_TOPIC": topics["raw"],
            "SUIVI_NORMALIZER_STATUS_TOPIC": topics["status"],
            "SUIVI_NORMALIZER_DLQ_TOPIC": topics["raw-dlq"],
            "SUIVI_NORMALIZER_GROUP_ID": f"obs-normalizer-{run}",
            "SUIVI_PROJECTIONS_STATUS_TOPIC": topics["status"],
            "SUIVI_PROJECTIONS_ORDERS_TOPIC": topics["orders"],
            "SUIVI_PROJECTIONS_DLQ_TOPIC": topics["projections-dlq"],
            "SUIVI_PROJECTIONS_ALERTS_TOPIC": topics["alerts"],
            "SUIVI_PROJECTIONS_GROUP_ID": f"obs-projections-{run}",
            "SUIVI_NOTIFIER_STATUS_TOPIC": topics["status"],
            "SUIVI_NOTIFIER_ORDERS_TOPIC": topics["orders"],
            "SUIVI_TRACKER_ORDERS_TOPIC": topics["orders"],
            "SUIVI_TRACKER_STATUS_TOPIC": topics["status"],
            "SUIVI_TRACKER_RAW_TOPIC": topics["raw"],
            "SUIVI_TRACKER_GROUP_ID": f"obs-tracker-{run}",
            "SUIVI_TRACKER_RETURNS_TOPIC": topics["returns"],
            "SUIVI_AFTERSALES_ORDERS_TOPIC": topics["orders"],
            "SUIVI_AFTERSALES_STATUS_TOPIC": topics["status"],
            "SUIVI_AFTERSALES_RETURNS_TOPIC": topics["returns"],
            "SUIVI_AFTERSALES_CLAIMS_TOPIC": topics["claims"],
            "SUIVI_AFTERSALES_ALERTS_TOPIC": topics["alerts"],
            "SUIVI_AFTERSALES_DLQ_TOPIC": topics["aftersales-dlq"],
            "SUIVI_AFTERSALES_GROUP_ID": f"obs-aftersales-{run}",
            "SUIVI_CONSOLE_MERCHANTS_TOPIC": topics["merchants"],
            "SUIVI_INGEST_MERCHANTS_TOPIC": topics["merchants"],
            "SUIVI_PROJECTIONS_MERCHANTS_TOPIC": topics["merchants"],
            "SUIVI_TRACKER_MERCHANTS_TOPIC": topics["merchants"],
            "SUIVI_TRACKER_INGEST_BASE_URL": f"http://127.0.0.1:{ports['SUIVI_INGEST_PORT']}",
            "SUIVI_STANDINS_INGEST_URL": f"http://127.0.0.1:{ports['SUIVI_INGEST_PORT']}",
            **standin_urls(ports["SUIVI_DEMO_STANDINS_PORT"]),
            "SUIVI_NOTIFIER_RESULTS_TOPIC": topics["notifications"],
            "SUIVI_NOTIFIER_DLQ_TOPIC": topics["notifier-dlq"],
            "SUIVI_NOTIFIER_ALERTS_TOPIC": topics["alerts"],
            "SUIVI_NOTIFIER_RETURNS_TOPIC": topics["returns"],
            "SUIVI_NOTIFIER_CLAIMS_TOPIC": topics["claims"],
            "SUIVI_NOTIFIER_MERCHANTS_TOPIC": topics["merchants"],
            "SUIVI_NOTIFIER_GROUP_ID": f"obs-notifier-{run}",
            # Hand-offs between carriers (issue 17): the run's own topic, as for the others.
            "SUIVI_NORMALIZER_LEGS_TOPIC": topics["legs"],
            "SUIVI_PROJECTIONS_LEGS_TOPIC": topics["legs"],
            # Each order's returns and claims for the dashboard (issue 24).
            "SUIVI_PROJECTIONS_RETURNS_TOPIC": topics["returns"],
            "SUIVI_PROJECTIONS_CLAIMS_TOPIC": topics["claims"],
            "SUIVI_TRACKER_LEGS_TOPIC": topics["legs"],
            "SUIVI_NOTIFIER_LEGS_TOPIC": topics["legs"],
        }
    )
    return env


def prometheus_config(env: dict[str, str]) -> str:
    """deploy/prometheus/prometheus.yml aimed at the stack's ports, scraping every second."""
    text = (DEPLOY / "prometheus" / "prometheus.yml").read_text()
    for variable, default in [*JOBS.values(), ("SUIVI_PROMETHEUS_PORT", 9090)]:
        text = text.replace(f'"127.0.0.1:{default}"', f'"127.0.0.1:{env[variable]}"')
    text = text.replace("rules/*.yml", str(DEPLOY / "prometheus" / "rules" / "*.yml"))
    return re.sub(r"(scrape_interval|evaluation_interval): 5s", r"\1: 1s", text)


def write_env_file(path: Path, env: dict[str, str]) -> None:
    path.write_text("".join(f"{k}={shlex.quote(v)}\n" for k, v in sorted(env.items())))


async def wait_until_answering(stack: Stack, seconds: float = 120) -> None:
    probes = {
        "ingest": stack.url("SUIVI_INGEST_PORT") + "/readyz",
        "normalizer": stack.url("SUIVI_NORMALIZER_METRICS_PORT") + "/metrics",
        "projector": stack.url("SUIVI_PROJECTIONS_METRICS_PORT") + "/metrics",
        "projections-api": stack.url("SUIVI_PROJECTIONS_PORT") + "/readyz",
        "notifier": stack.url("SUIVI_NOTIFIER_PORT") + "/readyz",
        "tracker": stack.url("SUIVI_TRACKER_PORT") + "/readyz",
        "aftersales": stack.url("SUIVI_AFTERSALES_PORT") + "/readyz",
        "console": stack.url("SUIVI_CONSOLE_PORT") + "/readyz",
        "peers": stack.url("SUIVI_DEMO_PEERS_PORT") + "/",
        "prometheus": stack.prometheus + "/-/ready",
    }
    deadline = time.monotonic() + seconds
    async with httpx.AsyncClient(timeout=2) as http:
        while probes:
            assert stack.supervisor is not None
            if stack.supervisor.poll() is not None:
                pytest.fail(f"the supervisor stopped:\n{stack.tail()}")
            if time.monotonic() > deadline:
                pytest.fail(f"not answering after {seconds:.0f}s: {sorted(probes)}\n{stack.tail()}")
            for name, url in list(probes.items()):
                with contextlib.suppress(httpx.HTTPError):
                    if (await http.get(url)).status_code == 200:
                        del probes[name]
            await asyncio.sleep(0.3)


@pytest.fixture(scope="module")
async def stack(
    kafka_settings: KafkaSettings,
    postgres_settings: PostgresSettings,
    tmp_path_factory: pytest.TempPathFactory,
) -> AsyncIterator[Stack]:
    workdir = tmp_path_factory.mktemp("stack")
    run = uuid.uuid4().hex[:10]
    partitions = {
        "raw": 3, "raw-dlq": 1, "status": 3, "orders": 3,
        "projections-dlq": 1, "notifications": 3, "notifier-dlq": 1, "alerts": 3,
        "returns": 3, "claims": 3, "aftersales-dlq": 1, "merchants": 3, "legs": 3,
    }  # fmt: skip
    topics = {name: f"obs-{run}.{name}" for name in partitions}
    admin = AIOKafkaAdminClient(bootstrap_servers=kafka_settings.bootstrap_servers)
    await admin.start()
    schema = f"obs_{run}"
    conn = await asyncpg.connect(postgres_settings.database_url)
    stack: Stack | None = None
    try:
        await admin.create_topics([NewTopic(topics[n], p, 1) for n, p in partitions.items()])
        await conn.execute(f'CREATE SCHEMA "{schema}"')
        # asyncpg passes unknown DSN parameters on as server settings: the stack's own schema.
        joiner = "&" if "?" in postgres_settings.database_url else "?"
        database_url = f"{postgres_settings.database_url}{joiner}search_path={schema}"
        env = stack_env(kafka_settings, database_url, topics, workdir)
        (workdir / "prometheus.yml").write_text(prometheus_config(env))
        write_env_file(workdir / "stack.env", env)
        stack = Stack(env, workdir)
        process_env = {**os.environ, **env}
        # What `make migrate` runs, then the Procfile under the supervisor, then the demo.
        for script in (
            "suivi-projections-migrate",
            "suivi-notifier-migrate",
            "suivi-tracker-migrate",
            "suivi-aftersales-migrate",
            "suivi-console-migrate",
        ):
            code, output = await run_script(script, [], process_env, seconds=60)
            assert code == 0, output
        # What `make run` does for the demo merchant's console owner.
        owner = ["create-merchant", "atelier", "--name", "Atelier", "--email", "o@atelier.test"]
        owner_env = {**process_env, "SUIVI_ADMIN_PASSWORD": "demo-console-password"}
        code, output = await run_script("suivi-admin", owner, owner_env, seconds=60)
        assert code == 0, output
        stack.start()
        await wait_until_answering(stack)
        demo = ["-m", "demo", "--fast", "--verify", "--env-file", os.devnull]
        code, output = await run_script("python", demo, process_env, seconds=150)
        (workdir / "demo.log").write_text(output)
        assert code == 0, output[-4000:] + "\n" + stack.tail()
        yield stack
    finally:
        if stack is not None:
            stack.stop()
            stack.kill_leftovers()
        with contextlib.suppress(Exception):
            await admin.delete_topics(list(topics.values()))
        await admin.close()
        with contextlib.suppress(Exception):
            await conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
        await conn.close()


async def query(http: httpx.AsyncClient, stack: Stack, promql: str) -> list[dict[str, Any]]:
    response = await http.get(f"{stack.prometheus}/api/v1/query", params={"query": promql})
    response.raise_for_status()
    result: list[dict[str, Any]] = response.json()["data"]["result"]
    return result


async def test_prometheus_scrapes_every_service_and_finds_its_key_metrics_moving(
    stack: Stack,
) -> None:
    missing: list[str] = []
    async with httpx.AsyncClient(timeout=5) as http:
        for _ in range(60):  # a few scrapes and rule evaluations (1 s each)
            missing = []
            for job in JOBS:
                up = await query(http, stack, f'up{{job="{job}"}}')
                if [r["value"][1] for r in up] != ["1"]:
                    missing.append(f"up{{job={job}}}: {up}")
                for promql in KEY_METRICS[job]:
                    value = await query(http, stack, promql)
                    if not value or float(value[0]["value"][1]) <= 0:
                        missing.append(f"{job}: {promql} = {value}")
            if not missing:
                break
            await asyncio.sleep(1)
    assert not missing, "\n".join(missing)


async def test_the_demo_poison_webhook_fires_the_dead_letter_alert(stack: Stack) -> None:
    firing: list[dict[str, Any]] = []
    async with httpx.AsyncClient(timeout=5) as http:
        for _ in range(30):
            firing = await query(
                http, stack, 'ALERTS{alertname="SuiviNormalizerDeadLetters",alertstate="firing"}'
            )
            if firing:
                break
            await asyncio.sleep(1)
    assert firing and firing[0]["metric"]["provider"] == "suivi"


async def live_metric_names(stack: Stack) -> set[str]:
    names: set[str] = set()
    async with httpx.AsyncClient(timeout=5) as http:
        for variable, _ in JOBS.values():
            response = await http.get(stack.url(variable) + "/metrics")
            response.raise_for_status()
            names |= exported_names(response.text)
    return names | PROMETHEUS_MADE


async def test_every_dashboard_query_reads_metrics_the_services_export(stack: Stack) -> None:
    board = json.loads((DEPLOY / "grafana" / "dashboards" / "suivi.json").read_text())
    exprs = [t["expr"] for p in board["panels"] for t in p.get("targets", [])]
    wanted = {name for expr in exprs for name in expr_metric_names(expr)}
    assert wanted - await live_metric_names(stack) == set()


async def test_every_alert_reads_metrics_the_services_export(stack: Stack) -> None:
    groups = miniyaml.loads((DEPLOY / "prometheus" / "rules" / "suivi-alerts.yml").read_text())
    exprs = [rule["expr"] for group in groups["groups"] for rule in group["rules"]]
    wanted = {name for expr in exprs for name in expr_metric_names(expr)}
    assert wanted - await live_metric_names(stack) == set()


async def test_shoppers_got_email_sms_and_push_from_the_local_peers(stack: Stack) -> None:
    demo_dir = Path(stack.env["SUIVI_DEMO_DIR"])
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        mails = list((demo_dir / "mail").glob("*.eml"))
        sms = demo_dir / "sms.log"
        push = demo_dir / "push.log"
        if len(mails) >= 15 and sms.exists() and push.exists():
            break
        await asyncio.sleep(0.5)
    assert len(mails) >= 15, f"{len(mails)} mails\n{stack.tail()}"
    link = f"{stack.env['SUIVI_NOTIFIER_STATUS_PAGE_BASE_URL']}/orders/"
    assert any(link in mail.read_text(errors="replace") for mail in mails)
    assert sms.read_text().count("\n") >= 1 and push.read_text().count("\n") >= 1


def test_ctrl_c_stops_every_process_it_started(stack: Stack) -> None:
    groups = stack.started_groups()
    assert sorted(groups) == sorted(PROCESSES)
    started = time.monotonic()
    returncode = stack.stop()
    assert returncode == 130, stack.tail()  # honcho's answer to SIGINT, after all stopped
    assert time.monotonic() - started < 30
    for pgid in groups.values():
        with pytest.raises(ProcessLookupError):
            os.killpg(pgid, 0)  # no process left in that group
    assert [p for p in stack.ports() if port_open(p)] == [], stack.tail()
    assert "SIGKILL" not in stack.tail(40), "a process needed SIGKILL to stop"
