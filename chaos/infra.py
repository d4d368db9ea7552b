"""The suite's own Kafka brokers and PostgreSQL cluster (ports, data directories), never the
shared ones of `make up`; started with the project's scripts."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from chaos.stack import ROOT

SCRIPTS = ROOT / "deploy" / "scripts"


def _port_open(port: int) -> bool:
    import socket

    with socket.socket() as s:
        s.settimeout(0.5)
        return s.connect_ex(("127.0.0.1", port)) == 0


@dataclass
class Brokers:
    """`kafka-cluster.sh` with `size` nodes from `port` on, its data under `state`."""

    size: int
    port: int
    state: Path

    def _env(self) -> dict[str, str]:
        return {
            **os.environ,
            "SUIVI_KAFKA_CLUSTER_SIZE": str(self.size),
            "SUIVI_KAFKA_CLUSTER_PORT": str(self.port),
            "SUIVI_KAFKA_CLUSTER_DIR": str(self.state),
        }

    def _script(self, *args: str) -> str:
        done = subprocess.run(  # noqa: S603 - the project's own script
            [str(SCRIPTS / "kafka-cluster.sh"), *args],
            env=self._env(), check=True, capture_output=True, text=True, timeout=180,
        )  # fmt: skip
        return done.stdout.strip()

    @property
    def bootstrap(self) -> str:
        return ",".join(f"127.0.0.1:{self.port + 2 * i}" for i in range(self.size))

    def fresh(self) -> None:
        """Stopped, data wiped (each run starts empty), started."""
        self.stop()
        shutil.rmtree(self.state, ignore_errors=True)
        for i in range(self.size):
            if _port_open(self.port + 2 * i):
                raise RuntimeError(f"port {self.port + 2 * i} is taken: set SUIVI_CHAOS_PORT_BASE")
        self._script("start")

    def stop(self) -> None:
        if self.state.exists():
            self._script("stop")

    def pid(self, node: int) -> int:
        return int((self.state / f"node{node}" / "kafka.pid").read_text().split()[0])

    def signal(self, node: int, sig: int) -> None:
        os.kill(self.pid(node), sig)

    def kill(self, node: int) -> None:
        pid = self.pid(node)
        os.kill(pid, signal.SIGKILL)
        while _alive(pid):
            time.sleep(0.05)

    def start_node(self, node: int) -> None:
        self._script("start-node", str(node))


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie (killed, not reaped: started by the script's shell) is gone all the same.
    stat = Path(f"/proc/{pid}/stat")
    return stat.exists() and stat.read_text().split()[2] != "Z"


@dataclass
class Postgres:
    """`postgres.sh` on its own port and state directory; a fresh database per run."""

    port: int
    state: Path

    def _env(self) -> dict[str, str]:
        return {**os.environ, "SUIVI_STATE_DIR": str(self.state), "SUIVI_PG_PORT": str(self.port)}

    def _script(self, command: str) -> None:
        subprocess.run(  # noqa: S603 - the project's own script
            [str(SCRIPTS / "postgres.sh"), command],
            env=self._env(), check=True, capture_output=True, timeout=180,
        )  # fmt: skip

    def start(self) -> None:
        self._script("start")

    def stop(self) -> None:
        self._script("stop")

    def url(self, database: str) -> str:
        return f"postgresql://suivi:suivi@127.0.0.1:{self.port}/{database}"

    def restart_immediate(self) -> None:
        """`pg_ctl stop -m immediate` (a crash: no checkpoint), then started again."""
        data = self.state / "postgres" / "data"
        bin_dir = sorted(Path("/usr/lib/postgresql").glob("*/bin"))[-1]
        command = [str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"]
        if os.getuid() == 0:
            command = ["runuser", "-u", "postgres", "--", *command]
        subprocess.run(command, check=True, capture_output=True, timeout=60)  # noqa: S603
        self.start()
