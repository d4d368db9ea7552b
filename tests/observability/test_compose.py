"""deploy/compose.yaml cannot run here (no Docker engine): these checks keep it consistent with
what does run, `make run`: the same processes with the same commands (deploy/Procfile), the same
configuration (deploy/run/dev.env), the same ports, the same Prometheus jobs and rules."""

from __future__ import annotations

import re
import shlex
import shutil
import sys
from pathlib import Path
from typing import Any

from demo.__main__ import read_env_file
from honcho.environ import parse as honcho_env  # type: ignore[import-untyped]
from tests.observability import miniyaml

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
ENV_FILE = DEPLOY / "run" / "dev.env"
# Procfile process → the dev.env variables holding the ports it listens on.
PORTS = {
    "ingest": ["SUIVI_INGEST_PORT", "SUIVI_INGEST_METRICS_PORT"],
    "normalizer": ["SUIVI_NORMALIZER_METRICS_PORT"],
    "projector": ["SUIVI_PROJECTIONS_METRICS_PORT"],
    "projections-api": ["SUIVI_PROJECTIONS_PORT", "SUIVI_PROJECTIONS_API_METRICS_PORT"],
    "notifier": ["SUIVI_NOTIFIER_PORT"],
    "tracker": ["SUIVI_TRACKER_PORT", "SUIVI_TRACKER_METRICS_PORT"],
    "aftersales": ["SUIVI_AFTERSALES_PORT", "SUIVI_AFTERSALES_METRICS_PORT"],
    "console": ["SUIVI_CONSOLE_PORT", "SUIVI_CONSOLE_METRICS_PORT"],
    "peers": ["SUIVI_DEMO_PEERS_PORT", "SUIVI_NOTIFIER_SMTP_PORT", "SUIVI_DEMO_STANDINS_PORT"],
    "demo": [],
}
# What a container may set beyond dev.env: where the infrastructure and its peers are, and
# listening on every interface instead of 127.0.0.1.
CONTAINER_ONLY = re.compile(
    r"^(KAFKA_BOOTSTRAP_SERVERS|DATABASE_URL|SUIVI_[A-Z_]+_HOST|SUIVI_(DEMO|STANDINS)_[A-Z_]+_URL"
    r"|SUIVI_(TRACKER|CONSOLE)_[A-Z0-9_]*BASE_URL)$"
)


def procfile() -> dict[str, str]:
    processes: dict[str, str] = {}
    for line in (DEPLOY / "Procfile").read_text().splitlines():
        match = re.match(r"^([A-Za-z0-9_-]+):\s*(.+)$", line)
        if match:
            processes[match.group(1)] = match.group(2).strip()
    return processes


def compose() -> dict[str, Any]:
    loaded: dict[str, Any] = miniyaml.loads((DEPLOY / "compose.yaml").read_text())
    return loaded


def dev_env() -> dict[str, str]:
    parsed: dict[str, str] = honcho_env(ENV_FILE.read_text())
    return parsed


def published(service: dict[str, Any]) -> list[int]:
    ports = []
    for mapping in service.get("ports", []):
        host_ip, host_port, container_port = mapping.split(":")
        assert host_ip == "127.0.0.1", mapping  # nothing listens beyond the machine
        assert host_port == container_port, mapping  # the same port as `make run`
        ports.append(int(container_port))
    return ports


def test_the_demo_reads_the_env_file_as_honcho_does() -> None:
    assert read_env_file(ENV_FILE) == dev_env()


def test_env_file_is_development_only_and_leaves_the_infrastructure_alone() -> None:
    text = ENV_FILE.read_text()
    assert "DEVELOPMENT-ONLY" in text
    env = dev_env()
    assert "KAFKA_BOOTSTRAP_SERVERS" not in env and "DATABASE_URL" not in env


def test_every_procfile_process_is_a_service_with_the_same_command() -> None:
    services = compose()["services"]
    for name, command in procfile().items():
        assert name in services, name
        if name == "prometheus":
            continue  # the same jobs and rules; checked below
        assert command.startswith("exec "), name  # signals reach the program, not a shell
        assert shlex.split(services[name]["command"]) == shlex.split(command)[1:], name


def test_services_share_the_image_and_the_env_file() -> None:
    services = compose()["services"]
    env = dev_env()
    for name in [*(p for p in procfile() if p != "prometheus"), "setup"]:
        service = services[name]
        assert service["image"] == "suivi:dev", name
        assert service["build"] == {"context": "..", "dockerfile": "deploy/Dockerfile"}, name
        assert service["env_file"] == "run/dev.env", name
        for variable in service.get("environment", {}):
            assert variable in env or CONTAINER_ONLY.match(variable), (name, variable)


def test_ports_are_those_of_make_run() -> None:
    services = compose()["services"]
    env = dev_env()
    for name, variables in PORTS.items():
        assert sorted(published(services[name])) == sorted(int(env[v]) for v in variables), name
    prometheus_port = re.search(
        r"127\.0\.0\.1:\$\{SUIVI_PROMETHEUS_PORT:-(\d+)\}", procfile()["prometheus"]
    )
    assert prometheus_port is not None
    assert published(services["prometheus"]) == [int(prometheus_port.group(1))]


def test_prometheus_scrapes_the_compose_services_on_their_ports() -> None:
    services = compose()["services"]
    config = miniyaml.loads((DEPLOY / "prometheus" / "prometheus.compose.yml").read_text())
    local = miniyaml.loads((DEPLOY / "prometheus" / "prometheus.yml").read_text())
    assert [j["job_name"] for j in config["scrape_configs"]] == [
        j["job_name"] for j in local["scrape_configs"]
    ]
    assert config["rule_files"] == local["rule_files"]
    for job in config["scrape_configs"]:
        for static in job["static_configs"]:
            for target in static["targets"]:
                host, port = target.split(":")
                if host == "localhost":
                    continue  # Prometheus itself
                assert int(port) in published(services[host]), target
    prometheus = services["prometheus"]
    assert "--config.file=/etc/prometheus/prometheus.compose.yml" in prometheus["command"]
    assert "./prometheus:/etc/prometheus:ro" in prometheus["volumes"]


def test_setup_does_what_make_up_and_make_migrate_do() -> None:
    setup = compose()["services"]["setup"]["command"]
    makefile = (ROOT / "Makefile").read_text()
    recipe = makefile.split("\nmigrate:", 1)[1].split("\n\n", 1)[0]
    steps = [
        line.split("$(UV) run --frozen ", 1)[1].strip()
        for line in recipe.splitlines()
        if "$(UV) run --frozen " in line
    ]
    assert steps
    for step in [*steps, "suivi-topics"]:
        assert step in setup, step


def test_the_image_holds_what_the_commands_need() -> None:
    dockerfile = (DEPLOY / "Dockerfile").read_text()
    for needed in ("COPY libs libs", "COPY services services", "COPY demo demo"):
        assert needed in dockerfile, needed
    assert "uv sync --frozen" in dockerfile


def settings_variables() -> set[str]:
    """Every environment variable the services' settings read (pydantic-settings models)."""
    from pydantic import BaseModel
    from pydantic_settings import BaseSettings

    from suivi_aftersales.settings import AftersalesSettings
    from suivi_console.settings import ConsoleSettings
    from suivi_ingest.settings import IngestSettings
    from suivi_normalizer.settings import NormalizerSettings
    from suivi_notifier.settings import NotifierSettings
    from suivi_projections.settings import ProjectionsSettings
    from suivi_projections.web.settings import ApiSettings
    from suivi_tracker.settings import TrackerSettings

    def variables(model: type[BaseSettings]) -> set[str]:
        prefix = str(model.model_config.get("env_prefix", ""))
        nested = model.model_config.get("env_nested_delimiter")
        found: set[str] = set()
        for name, info in model.model_fields.items():
            kind = info.annotation
            if isinstance(kind, type) and issubclass(kind, BaseSettings):
                found |= variables(kind)
            elif nested and isinstance(kind, type) and issubclass(kind, BaseModel):
                found |= {f"{prefix}{name}{nested}{sub}".upper() for sub in kind.model_fields}
            else:
                found.add((info.alias or prefix + name).upper())
        return found

    models: list[type[BaseSettings]] = [
        IngestSettings, NormalizerSettings, ProjectionsSettings, ApiSettings, NotifierSettings,
        TrackerSettings, AftersalesSettings, ConsoleSettings,
    ]  # fmt: skip
    return set().union(*(variables(m) for m in models))


def demo_variables() -> set[str]:
    standins = ROOT / "services/tracker/src/suivi_tracker/testing/standins"
    files = [*(ROOT / "demo").glob("*.py"), *standins.glob("*.py")]
    code = "".join(p.read_text() for p in files)
    return set(
        re.findall(
            r"\b(SUIVI_DEMO_[A-Z_]+|SUIVI_PROMETHEUS_[A-Z_]+|SUIVI_STANDINS_[A-Z_]+)\b", code
        )
    )


def test_every_variable_set_is_one_a_service_or_the_demo_reads() -> None:
    """Catches a setting renamed in a service while dev.env or compose still sets the old name."""
    known = settings_variables() | demo_variables() | {"PYTHONUNBUFFERED"}
    assert set(dev_env()) - known == set()
    for name, service in compose()["services"].items():
        if service.get("image") == "suivi:dev":
            assert set(service.get("environment", {})) - known == set(), name


def test_every_program_the_procfile_and_make_migrate_run_exists() -> None:
    """Catches a console script renamed in a service's pyproject.toml."""
    scripts = Path(sys.executable).parent
    programs = [shlex.split(c)[1] for c in procfile().values()]
    recipe = (ROOT / "Makefile").read_text().split("\nmigrate:", 1)[1].split("\n\n", 1)[0]
    programs += re.findall(r"\$\(UV\) run --frozen (\S+)", recipe)
    for program in programs:
        if program == "prometheus":
            assert shutil.which(program), "no prometheus: run `make bootstrap`"
        else:
            assert (scripts / program).exists(), program
