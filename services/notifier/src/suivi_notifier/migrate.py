"""`suivi-notifier-migrate`: applies the notifier's versioned SQL files (`migrations/`) in order.

The notifier keeps its own bookkeeping table, `notifier_schema_migrations`, so it can share a
database (and schema) with other services without touching theirs. Each file runs in its own
transaction with its row; an applied file whose content changed is refused (add a new file).
Instances starting together serialize on a transaction-scoped advisory lock. Tables go to the
first schema of the connection's `search_path`.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import logging
import re
import sys
from dataclasses import dataclass
from importlib import resources

import asyncpg

from suivi_infra.settings import PostgresSettings

log = logging.getLogger(__name__)

_FILE = re.compile(r"^(\d{4})_([a-z0-9_]+)\.sql$")
_CREATE = """
CREATE TABLE IF NOT EXISTS notifier_schema_migrations (
    version    integer PRIMARY KEY,
    name       text NOT NULL,
    applied_at timestamptz NOT NULL DEFAULT now(),
    checksum   text NOT NULL
)
"""
_LOCK = (
    "SELECT pg_advisory_xact_lock("
    "hashtextextended('suivi_notifier.migrate:' || coalesce(current_schema(), ''), 0))"
)
_APPLIED = "SELECT version, name, checksum FROM notifier_schema_migrations"
_RECORD = "INSERT INTO notifier_schema_migrations (version, name, checksum) VALUES ($1, $2, $3)"


class MigrationError(RuntimeError):
    pass


@dataclass(frozen=True, slots=True)
class Migration:
    version: int
    name: str
    sql: str
    checksum: str


def load_migrations() -> list[Migration]:
    folder = resources.files("suivi_notifier") / "migrations"
    found: dict[int, Migration] = {}
    for entry in folder.iterdir():
        match = _FILE.match(entry.name)
        if match is None:
            continue
        data = entry.read_bytes()
        version = int(match.group(1))
        if version in found:
            raise MigrationError(f"two migration files have version {version}")
        found[version] = Migration(
            version, match.group(2), data.decode("utf-8"), hashlib.sha256(data).hexdigest()
        )
    return [found[v] for v in sorted(found)]


async def migrate(
    conn: asyncpg.Connection, migrations: list[Migration] | None = None
) -> list[Migration]:
    """Applies the pending migrations; returns those this call applied."""
    migrations = load_migrations() if migrations is None else migrations
    done: list[Migration] = []
    for migration in migrations:
        async with conn.transaction():
            await conn.execute(_LOCK)
            await conn.execute(_CREATE)
            if migration.version in await _verified(conn, migrations):
                continue
            await conn.execute(migration.sql)
            await conn.execute(_RECORD, migration.version, migration.name, migration.checksum)
        log.info("applied migration %04d_%s", migration.version, migration.name)
        done.append(migration)
    return done


async def _verified(conn: asyncpg.Connection, migrations: list[Migration]) -> set[int]:
    known = {m.version: m for m in migrations}
    applied: set[int] = set()
    for row in await conn.fetch(_APPLIED):
        version = row["version"]
        applied.add(version)
        migration = known.get(version)
        if migration is None:
            log.warning("migration %04d_%s is applied but unknown here", version, row["name"])
        elif migration.checksum != row["checksum"]:
            raise MigrationError(
                f"migration {version:04d}_{migration.name} changed after it was applied; "
                "add a new migration instead"
            )
    return applied


async def run(settings: PostgresSettings, schema: str | None = None) -> list[Migration]:
    server_settings = {"search_path": schema} if schema else None
    conn = await asyncpg.connect(settings.database_url, server_settings=server_settings)
    try:
        return await migrate(conn)
    finally:
        await conn.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="suivi-notifier-migrate", description=__doc__)
    parser.add_argument("--schema", help="apply in this (existing) schema instead of the default")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(message)s")
    try:
        done = asyncio.run(run(PostgresSettings(), args.schema))
    except MigrationError as exc:
        print(f"suivi-notifier-migrate: {exc}", file=sys.stderr)
        return 1
    print(f"suivi-notifier-migrate: {len(done)} applied, schema up to date")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
