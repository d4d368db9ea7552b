"""The end-to-end benchmark's pipeline: ingest, normalizer, projector on their own topics."""

from __future__ import annotations

import dataclasses
import os
import shutil
import subprocess
import uuid
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import asyncpg
from aiokafka.admin import AIOKafkaAdminClient
from chaos.stack import ROOT, Stack

from suivi_infra.kafka import ensure_topics, new_topic
from suivi_infra.settings import KafkaSettings, PostgresSettings, TopicSettings
from suivi_schemas.topics import ALL_TOPICS

SERVICES = ("ingest", "normalizer", "projector")
# Every topic, as suivi-topics creates them: with merchants.v1 missing, ingest asked the broker
# for it every 100 ms and logged an error each time, all through the run.
TOPICS = ALL_TOPICS
VEGETA_SCRIPT = ROOT / "deploy" / "scripts" / "vegeta.sh"


def vegeta() -> str | None:
    """The vegeta binary: on PATH, where `go install` puts it, or built once by the script."""
    home = Path(os.environ.get("GOPATH", Path.home() / "go")) / "bin" / "vegeta"
    for found in (shutil.which("vegeta"), home, ROOT / ".local" / "bin" / "vegeta"):
        if found and Path(found).is_file():
            return str(found)
    if shutil.which("go"):
        subprocess.run(["sh", str(VEGETA_SCRIPT)], check=False, timeout=600)  # noqa: S603, S607
        if home.is_file():
            return str(home)
    return None


def schema_url(url: str, schema: str) -> str:
    """The DSN with `search_path` as a query parameter: asyncpg passes it as a server setting."""
    parts = urlsplit(url)
    query = "&".join(q for q in (parts.query, f"search_path={schema}") if q)
    return urlunsplit(parts._replace(query=query))


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def shared_servers(kafka_ports: set[int] | None = None) -> dict[int, str]:
    """The broker's and PostgreSQL's processes by pid ("kafka", "postgres"): shared with
    whatever else runs here, so their CPU is the pipeline's only on a quiet machine. With
    `kafka_ports`, only the Java process listening on one of them counts as "kafka" (not
    another broker or cluster started on this machine meanwhile)."""
    listening = _listening_inodes(kafka_ports) if kafka_ports else None
    found = {}
    for stat in Path("/proc").glob("[0-9]*/comm"):
        try:
            comm = stat.read_text().strip()
            if comm == "java" and listening is not None and not _holds(stat.parent, listening):
                continue
        except OSError:  # gone meanwhile
            continue
        if comm in {"java", "postgres"}:
            found[int(stat.parent.name)] = "kafka" if comm == "java" else "postgres"
    return found


def _listening_inodes(ports: set[int]) -> set[str]:
    """Socket inodes listening (TCP state 0A) on one of `ports`, IPv4 or IPv6."""
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            if fields[3] == "0A" and int(fields[1].rsplit(":", 1)[1], 16) in ports:
                inodes.add(f"socket:[{fields[9]}]")
    return inodes


def _holds(proc: Path, sockets: set[str]) -> bool:
    for fd in (proc / "fd").iterdir():
        try:
            if str(fd.readlink()) in sockets:
                return True
        except OSError:  # closed meanwhile
            continue
    return False


def machine_busy() -> tuple[float, float]:
    """(busy, total) jiffies of the whole machine: every core, every process."""
    values = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = values[3] + values[4]
    return float(sum(values) - idle), float(sum(values))


@dataclasses.dataclass
class Pipeline:
    """Its own topics (prefix), schema and consumer groups; the broker and server are shared."""

    overrides: dict[str, str]
    run: str = dataclasses.field(default_factory=lambda: uuid.uuid4().hex[:8])
    stack: Stack = dataclasses.field(init=False)
    schema: str = dataclasses.field(init=False)

    def __post_init__(self) -> None:
        self.schema = f"bench_e2e_{self.run}"
        self.prefix = f"bench-e2e-{self.run}."
        url = schema_url(PostgresSettings().database_url, self.schema)
        kafka = ",".join(KafkaSettings().bootstrap_servers)
        workdir = ROOT / ".local" / "bench" / f"e2e-{self.run}"
        self.stack = Stack(kafka, url, workdir, topic_prefix=self.prefix, overrides=self.overrides)

    @property
    def database_url(self) -> str:
        return self.stack.database_url

    @property
    def kafka_ports(self) -> set[int]:
        """The ports of the brokers this pipeline's services talk to."""
        return {int(address.rsplit(":", 1)[1]) for address in KafkaSettings().bootstrap_servers}

    async def start(self) -> None:
        conn = await asyncpg.connect(PostgresSettings().database_url)
        try:
            await conn.execute(f'CREATE SCHEMA "{self.schema}"')
        finally:
            await conn.close()
        settings = TopicSettings()
        topics = [new_topic(t, settings, name=f"{self.prefix}{t.name}") for t in TOPICS]
        await ensure_topics(KafkaSettings(), topics)
        self.stack.migrate("suivi-projections-migrate")
        for name in SERVICES:
            self.stack.start(name)
        if not self.stack.ready("ingest", 90):
            raise RuntimeError(f"ingest not ready; see {self.stack.workdir}/ingest.log")

    def pids(self) -> dict[str, int]:
        return {name: p.pid for name, p in self.stack.processes.items() if p.poll() is None}

    async def stop(self) -> None:
        self.stack.stop_all()
        conn = await asyncpg.connect(PostgresSettings().database_url)
        try:
            await conn.execute(f'DROP SCHEMA IF EXISTS "{self.schema}" CASCADE')
        finally:
            await conn.close()
        admin = AIOKafkaAdminClient(bootstrap_servers=KafkaSettings().bootstrap_servers)
        await admin.start()
        try:
            await admin.delete_topics([f"{self.prefix}{t.name}" for t in TOPICS])
        finally:
            await admin.close()
