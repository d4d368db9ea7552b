"""Each table, index, view or type belongs to one service: no two services' migrations create
the same name (they share one PostgreSQL database in `make run` and the stack test).

Read from the migration files as text (no server), so a clash fails here before it fails a
stack start with "relation already exists".
"""

from __future__ import annotations

import re
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

CREATED = re.compile(
    r"\bCREATE\s+(?:UNIQUE\s+)?(TABLE|INDEX|VIEW|MATERIALIZED\s+VIEW|TYPE|SEQUENCE|FUNCTION)"
    r"\s+(?:CONCURRENTLY\s+)?(?:IF\s+NOT\s+EXISTS\s+)?(?:public\.)?\"?([a-z_][a-z0-9_]*)",
    re.IGNORECASE,
)


def created_by_service(root: Path = ROOT) -> dict[str, set[str]]:
    """Service name → the names its migrations create (tables, indexes, views, types…)."""
    found: dict[str, set[str]] = defaultdict(set)
    for sql in sorted(root.glob("services/*/src/*/db/migrations/*.sql")):
        service = sql.relative_to(root).parts[1]
        text = re.sub(r"--[^\n]*", "", sql.read_text(encoding="utf-8"))
        found[service].update(name.lower() for _, name in CREATED.findall(text))
    return dict(found)


def clashes(created: dict[str, set[str]]) -> dict[str, list[str]]:
    """Each name two or more services create → those services."""
    owners: dict[str, list[str]] = defaultdict(list)
    for service, names in sorted(created.items()):
        for name in names:
            owners[name].append(service)
    return {name: services for name, services in sorted(owners.items()) if len(services) > 1}


def test_the_reader_finds_tables_and_indexes() -> None:
    created = created_by_service()
    assert {"projections", "notifier", "tracker"} <= created.keys()
    assert "trackings" in created["tracker"]
    assert clashes({"a": {"t", "u"}, "b": {"t"}}) == {"t": ["a", "b"]}


def test_no_two_services_create_the_same_name() -> None:
    assert clashes(created_by_service()) == {}
