"""The layers, read from the source with `ast` (nothing imported, no server): every `domain/`
stays pure, and no service package imports another service (nor a library a service).

Packages are discovered (`services/*/src/*`, `libs/*/src/*`), so a new service is checked from
its first commit. A known exception is listed below with its reason, never skipped silently;
one no longer needed fails too, so that the list only shrinks.
"""

from __future__ import annotations

import ast
import textwrap
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def packages(pattern: str, root: Path = ROOT) -> list[Path]:
    return sorted(p for p in root.glob(pattern) if (p / "__init__.py").is_file())


SERVICES = packages("services/*/src/*")
LIBRARIES = packages("libs/*/src/*")
SUIVI = frozenset(p.name for p in [*SERVICES, *LIBRARIES])

# An import of one of these means I/O (network, database, HTTP, SMTP, a metrics server, other
# processes) or settings read from the environment.
IO_MODULES = (
    "aiohttp", "aiokafka", "aiosmtplib", "asyncpg", "fastapi", "faststream", "http.client",
    "http.server", "httpx", "prometheus_client", "psycopg", "psycopg2", "pydantic_settings",
    "requests", "smtplib", "socket", "sqlite3", "ssl", "starlette", "subprocess",
    "urllib.request", "uvicorn", "websockets",
)  # fmt: skip
# What a domain module may import of the suivi packages: its own `domain/`, the pure provider
# translations (layout.md's `providers/`), and the event contracts.
PURE_OWN = ("domain", "providers")
PURE_SHARED = ("suivi_schemas",)
ENVIRONMENT = frozenset({"environ", "environb", "getenv", "getenvb", "putenv"})
CLOCK = {
    "datetime": {"now", "utcnow", "today"},
    "date": {"today"},
    "time": {"time", "time_ns", "monotonic", "monotonic_ns", "perf_counter", "localtime"},
}

# Known exceptions: (path, what) → why it stays for now. Empty is the goal.
KNOWN: dict[tuple[str, str], str] = {}


@dataclass(frozen=True, slots=True, order=True)
class Finding:
    path: str
    line: int
    what: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.what}"


def module_name(path: Path, package: Path) -> str:
    parts = [package.name, *path.relative_to(package).with_suffix("").parts]
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports(tree: ast.AST, module: str, is_package: bool) -> Iterator[tuple[int, str]]:
    """(line, absolute dotted name) of every import anywhere in the module (functions and
    `TYPE_CHECKING` blocks too), relative ones resolved; `from m import n` gives `m` and
    `m.n` (n may be a module)."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = module.split(".")
                anchor = anchor[: len(anchor) - node.level + (1 if is_package else 0)]
                base = ".".join([*anchor, base] if base else anchor)
            yield node.lineno, base
            for alias in node.names:
                yield node.lineno, f"{base}.{alias.name}"


def _under(name: str, modules: Iterable[str]) -> str | None:
    return next((m for m in modules if name == m or name.startswith(m + ".")), None)


def domain_findings(source: str, where: str, module: str, is_package: bool) -> Iterator[Finding]:
    """What makes a domain module impure: I/O, outer layers, the environment, the clock."""
    own = module.split(".")[0]
    tree = ast.parse(source, where)
    for line, name in imports(tree, module, is_package):
        io = _under(name, IO_MODULES)
        if io is not None:
            yield Finding(where, line, f"imports {io} (I/O)")
        top, _, rest = name.partition(".")
        if top == own and rest and not rest.startswith(PURE_OWN):
            yield Finding(where, line, f"imports {name} (an outer layer)")
        elif top in SUIVI and top != own and top not in PURE_SHARED:
            yield Finding(where, line, f"imports {name} (not a pure contract)")
        if top == "os" and rest in ENVIRONMENT:
            yield Finding(where, line, f"reads the environment (os.{rest})")
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name)
            and node.value.id == "os"
            and node.attr in ENVIRONMENT
        ):
            yield Finding(where, node.lineno, f"reads the environment (os.{node.attr})")
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            owner = node.func.value
            if isinstance(owner, ast.Name) and node.func.attr in CLOCK.get(owner.id, ()):
                yield Finding(where, node.lineno, f"reads the clock ({owner.id}.{node.func.attr})")


def service_findings(source: str, where: str, own: str) -> Iterator[Finding]:
    """Imports of a service package other than `own` (a library has no `own`: "")."""
    for line, name in imports(ast.parse(source, where), own, False):
        top = name.partition(".")[0]
        if top in {p.name for p in SERVICES} and top != own:
            yield Finding(where, line, f"imports {name} (another service)")


def _modules(package: Path) -> Iterator[tuple[Path, str]]:
    for path in sorted(package.rglob("*.py")):
        yield path, str(path.relative_to(ROOT))


def all_domain_findings() -> set[Finding]:
    found: set[Finding] = set()
    for package in [*SERVICES, *LIBRARIES]:
        for folder in sorted(p for p in package.rglob("domain") if p.is_dir()):
            for path, where in _modules(folder):
                module = module_name(path, package)
                found |= set(
                    domain_findings(path.read_text(), where, module, path.name == "__init__.py")
                )
    return found


def all_service_findings() -> set[Finding]:
    found: set[Finding] = set()
    for package in SERVICES:
        for path, where in _modules(package):
            found |= set(service_findings(path.read_text(), where, package.name))
    for package in LIBRARIES:
        for path, where in _modules(package):
            found |= set(service_findings(path.read_text(), where, ""))
    return found


def _unexplained(found: set[Finding]) -> list[str]:
    return [str(f) for f in sorted(found) if (f.path, f.what) not in KNOWN]


def test_the_packages_are_found() -> None:
    names = {p.name for p in SERVICES}
    assert {"suivi_ingest", "suivi_normalizer", "suivi_notifier", "suivi_projections"} <= names
    assert "suivi_schemas" in {p.name for p in LIBRARIES}
    assert any(p.rglob("domain") for p in SERVICES)


def test_domain_modules_do_no_io_and_import_no_outer_layer() -> None:
    assert _unexplained(all_domain_findings()) == []


def test_no_service_imports_another_and_no_library_imports_a_service() -> None:
    assert _unexplained(all_service_findings()) == []


def test_every_known_exception_is_still_needed() -> None:
    seen = {(f.path, f.what) for f in all_domain_findings() | all_service_findings()}
    assert sorted(set(KNOWN) - seen) == []


def _scan(source: str, module: str = "suivi_projections.domain.rules") -> list[str]:
    found = domain_findings(textwrap.dedent(source), "x.py", module, is_package=False)
    return sorted({f.what for f in found})


def test_the_scanner_sees_io_outer_layers_the_environment_and_the_clock() -> None:
    assert _scan(
        """
        import os
        from typing import TYPE_CHECKING
        from datetime import datetime
        import asyncpg.pool
        from suivi_schemas import ShipmentStatus
        from suivi_infra.kafka import make_producer
        from ..query import views
        from .watch import evaluate
        from . import eta
        if TYPE_CHECKING:
            from fastapi import Request
        def now():
            import httpx
            return datetime.now(), os.environ["X"]
        """
    ) == [
        "imports asyncpg (I/O)",
        "imports fastapi (I/O)",
        "imports httpx (I/O)",
        "imports suivi_infra.kafka (not a pure contract)",
        "imports suivi_infra.kafka.make_producer (not a pure contract)",
        "imports suivi_projections.query (an outer layer)",
        "imports suivi_projections.query.views (an outer layer)",
        "reads the clock (datetime.now)",
        "reads the environment (os.environ)",
    ]


def test_the_scanner_sees_a_service_importing_another() -> None:
    source = (
        "from suivi_ingest.kafka import x\nimport suivi_projections.web\nimport suivi_schemas\n"
    )
    found = sorted({f.what for f in service_findings(source, "x.py", "suivi_projections")})
    assert found == ["imports suivi_ingest.kafka (another service)",
                     "imports suivi_ingest.kafka.x (another service)"]  # fmt: skip


def test_relative_imports_resolve_from_a_package_init() -> None:
    tree = ast.parse("from . import shipments\nfrom .. import settings\n")
    names = [n for _, n in imports(tree, "suivi_projections.domain", is_package=True)]
    assert names == [
        "suivi_projections.domain",
        "suivi_projections.domain.shipments",
        "suivi_projections",
        "suivi_projections.settings",
    ]
