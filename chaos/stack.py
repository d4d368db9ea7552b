"""The Procfile's services as real processes on loopback, isolated by ports, topics and schema."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from demo.__main__ import read_env_file

from suivi_schemas.topics import (
    AFTERSALES_DLQ,
    ALERTS,
    CLAIMS,
    LEGS,
    MERCHANTS,
    NOTIFICATIONS,
    NOTIFICATIONS_DLQ,
    ORDERS,
    PROJECTIONS_DLQ,
    RAW,
    RAW_DLQ,
    RETURNS,
    STATUS,
    TRACKER_DLQ,
    Topic,
)

ROOT = Path(__file__).resolve().parents[1]
PROCFILE = ROOT / "deploy" / "Procfile"
DEV_ENV = ROOT / "deploy" / "run" / "dev.env"
SERVICES = ("ingest", "normalizer", "projector", "projections-api", "notifier", "tracker")
# Every topic setting of every service, so that a prefix moves all of them.
TOPIC_ENV: dict[str, Topic] = {
    "SUIVI_INGEST_RAW_TOPIC": RAW,
    "SUIVI_INGEST_ORDERS_TOPIC": ORDERS,
    "SUIVI_NORMALIZER_RAW_TOPIC": RAW,
    "SUIVI_NORMALIZER_STATUS_TOPIC": STATUS,
    "SUIVI_NORMALIZER_DLQ_TOPIC": RAW_DLQ,
    "SUIVI_PROJECTIONS_STATUS_TOPIC": STATUS,
    "SUIVI_PROJECTIONS_ORDERS_TOPIC": ORDERS,
    "SUIVI_PROJECTIONS_ALERTS_TOPIC": ALERTS,
    "SUIVI_PROJECTIONS_DLQ_TOPIC": PROJECTIONS_DLQ,
    "SUIVI_PROJECTIONS_RETURNS_TOPIC": RETURNS,
    "SUIVI_PROJECTIONS_CLAIMS_TOPIC": CLAIMS,
    "SUIVI_NOTIFIER_STATUS_TOPIC": STATUS,
    "SUIVI_NOTIFIER_ORDERS_TOPIC": ORDERS,
    "SUIVI_NOTIFIER_ALERTS_TOPIC": ALERTS,
    "SUIVI_NOTIFIER_RESULTS_TOPIC": NOTIFICATIONS,
    "SUIVI_NOTIFIER_DLQ_TOPIC": NOTIFICATIONS_DLQ,
    "SUIVI_NOTIFIER_RETURNS_TOPIC": RETURNS,
    "SUIVI_NOTIFIER_CLAIMS_TOPIC": CLAIMS,
    "SUIVI_NOTIFIER_MERCHANTS_TOPIC": MERCHANTS,
    "SUIVI_TRACKER_ORDERS_TOPIC": ORDERS,
    "SUIVI_TRACKER_STATUS_TOPIC": STATUS,
    "SUIVI_TRACKER_RAW_TOPIC": RAW,
    "SUIVI_TRACKER_DLQ_TOPIC": TRACKER_DLQ,
    "SUIVI_AFTERSALES_ORDERS_TOPIC": ORDERS,
    "SUIVI_AFTERSALES_STATUS_TOPIC": STATUS,
    "SUIVI_AFTERSALES_RETURNS_TOPIC": RETURNS,
    "SUIVI_AFTERSALES_CLAIMS_TOPIC": CLAIMS,
    "SUIVI_AFTERSALES_DLQ_TOPIC": AFTERSALES_DLQ,
    "SUIVI_CONSOLE_MERCHANTS_TOPIC": MERCHANTS,
    "SUIVI_INGEST_MERCHANTS_TOPIC": MERCHANTS,
    "SUIVI_PROJECTIONS_MERCHANTS_TOPIC": MERCHANTS,
    "SUIVI_TRACKER_MERCHANTS_TOPIC": MERCHANTS,
    "SUIVI_AFTERSALES_MERCHANTS_TOPIC": MERCHANTS,
    # Hand-offs between carriers (issue 17): the run's own, as for every other topic.
    "SUIVI_NORMALIZER_LEGS_TOPIC": LEGS,
    "SUIVI_PROJECTIONS_LEGS_TOPIC": LEGS,
    "SUIVI_TRACKER_LEGS_TOPIC": LEGS,
    "SUIVI_NOTIFIER_LEGS_TOPIC": LEGS,
}
GROUP_ENV = [
    f"SUIVI_{s}_GROUP_ID"
    for s in ("NORMALIZER", "PROJECTIONS", "NOTIFIER", "TRACKER", "AFTERSALES")
]
# The public port each service answers on (the others have metrics only).
PUBLIC_PORT = {
    "ingest": "SUIVI_INGEST_PORT",
    "projections-api": "SUIVI_PROJECTIONS_PORT",
    "notifier": "SUIVI_NOTIFIER_PORT",
    "tracker": "SUIVI_TRACKER_PORT",
    "aftersales": "SUIVI_AFTERSALES_PORT",
    "console": "SUIVI_CONSOLE_PORT",
}
MIGRATIONS = ("suivi-projections-migrate", "suivi-notifier-migrate", "suivi-tracker-migrate")


def procfile() -> dict[str, str]:
    """The Procfile's commands by process name."""
    commands: dict[str, str] = {}
    for line in PROCFILE.read_text(encoding="utf-8").splitlines():
        name, sep, command = line.partition(":")
        if sep and name and not line.startswith("#"):
            commands[name.strip()] = command.strip()
    return commands


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def _bindable(port: int) -> bool:
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


def topic_names(prefix: str) -> dict[str, str]:
    """The topic settings of every service, each topic named `<prefix><name>`."""
    return {env: f"{prefix}{topic.name}" for env, topic in TOPIC_ENV.items()}


@dataclass
class Stack:
    """dev.env's settings, every port moved to a free one, Kafka and PostgreSQL as given."""

    kafka: str
    database_url: str
    workdir: Path
    topic_prefix: str = ""
    overrides: Mapping[str, str] = field(default_factory=dict)
    # First of a range of ports of the caller's own (outside the kernel's ephemeral range, where
    # other tests' free ports come from and could be taken back meanwhile); None: free ports.
    port_base: int | None = None
    env: dict[str, str] = field(init=False)
    processes: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict, init=False)

    def __post_init__(self) -> None:
        self.workdir.mkdir(parents=True, exist_ok=True)
        env = {k: v for k, v in os.environ.items() if not k.startswith("SUIVI_")}
        env.update(read_env_file(DEV_ENV))
        taken: set[int] = set()
        for key in [k for k in env if k.endswith("_PORT") and k.startswith("SUIVI_")]:
            env[key] = str(self._port(taken))  # never the developers' ports
        env |= {"KAFKA_BOOTSTRAP_SERVERS": self.kafka, "DATABASE_URL": self.database_url}
        env |= topic_names(self.topic_prefix)
        run = uuid.uuid4().hex[:8]
        env |= {key: f"{self.topic_prefix}{key.lower()}-{run}" for key in GROUP_ENV}
        env |= self.overrides
        self.env = env

    def _port(self, taken: set[int]) -> int:
        """A port free now and not given yet to another setting of this stack."""
        candidate = self.port_base if self.port_base is not None else free_port()
        while candidate in taken or not _bindable(candidate):
            candidate = candidate + 1 if self.port_base is not None else free_port()
        taken.add(candidate)
        return candidate

    def url(self, service: str) -> str:
        return f"http://127.0.0.1:{self.env[PUBLIC_PORT[service]]}"

    def run(self, command: str) -> None:
        """One of the project's console scripts with this stack's settings, to its end."""
        subprocess.run(  # noqa: S603 - the project's own console scripts
            [command], env=self.env, check=True, capture_output=True, timeout=120
        )

    def migrate(self, *commands: str) -> None:
        """`make migrate`'s commands (or those given) on this stack's database."""
        for command in commands or MIGRATIONS:
            self.run(command)

    def start(self, name: str) -> subprocess.Popen[bytes]:
        """The Procfile's command for `name`, its output in workdir/<name>.log."""
        log = (self.workdir / f"{name}.log").open("ab")
        process = subprocess.Popen(  # noqa: S602 - the Procfile's own line, as honcho runs it
            procfile()[name], shell=True, env=self.env, cwd=ROOT, stdout=log, stderr=log
        )
        self.processes[name] = process
        return process

    def ready(self, name: str, seconds: float = 60) -> bool:
        """Whether `name` answers /readyz 200 (a service without a public port: still alive)."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if name not in PUBLIC_PORT:
                return self.processes[name].poll() is None
            try:
                if httpx.get(f"{self.url(name)}/readyz", timeout=2).status_code == 200:
                    return True
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        return False

    def kill(self, name: str, sig: int = signal.SIGKILL) -> None:
        process = self.processes[name]
        if process.poll() is None:
            os.kill(process.pid, sig)  # exec'd: the pid is the service itself
            process.wait(30)

    def stop_all(self) -> None:
        for process in self.processes.values():
            if process.poll() is None:
                process.terminate()
        for process in self.processes.values():
            try:
                process.wait(30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(10)
