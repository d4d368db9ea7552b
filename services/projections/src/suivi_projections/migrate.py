"""`suivi-projections-migrate`: applies the versioned SQL files of `migrations/` in order.

Each file runs in its own transaction with its row in `schema_migrations`; an applied file
whose content changed is refused (write a new file instead). Instances starting together
serialize on a transaction-scoped advisory lock, so each file is applied exactly once. Tables
go to the first schema of the connection's `search_path`.
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

from suivi_projections.settings import ProjectionsSettings

log = logging.getLogger(__name__)

_FILE = re.compile(r"^(\d{4})_([a-z0-9_]+)\.sql$")

_CREATE = """
CREATE TABLE IF NOT EXISTS schema_migrations (
    version    integer PRIMARY KEY,
    name       text NOT NULL,
    applied_at timestamptz NOT NULL DEFAULT now(),
    checksum   text NOT NULL
)
"""
# One lock per schema: test schemas (and tenants) migrate independently.
_LOCK = (
    "SELECT pg_advisory_xact_lock("
    "hashtextextended('suivi_projections.migrate:' || coalesce(current_schema(), ''), 0))"
)
_APPLIED = "SELECT version, name, checksum FROM schema_migrations"
_RECORD = "INSERT INTO schema_migrations (version, name, checksum) VALUES ($1, $2, $3)"


class MigrationError(RuntimeError):
    pass


@dataclass(frozen=True, slots=True)
class Migration:
    version: int
    name: str
    sql: str
    checksum: str


def load_migrations() -> list[Migration]:
    """The package's migration files, by version."""
    folder = resources.files("suivi_projections") / "migrations"
    found: dict[int, Migration] = {}
    for entry in folder.iterdir():
        match = _FILE.match(entry.name)
        if match is None:
            continue
        data = entry.read_bytes()
        version = int(match.group(1))
        if version in found:
            raise MigrationError(f"two migration files have version {version}")
        checksum = hashlib.sha256(data).hexdigest()
        found[version] = Migration(version, match.group(2), data.decode("utf-8"), checksum)
    return [found[v] for v in sorted(found)]


async def migrate(
    conn: asyncpg.Connection, migrations: list[Migration] | None = None
) -> list[Migration]:
    """Applies the pending migrations; returns those this call applied."""
    migrations = load_migrations() if migrations is None else migrations
    async with conn.transaction():
        await conn.execute(_LOCK)
        await conn.execute(_CREATE)
        applied = await _verified(conn, migrations)
    done: list[Migration] = []
    for migration in migrations:
        if migration.version in applied:
            continue
        async with conn.transaction():
            await conn.execute(_LOCK)
            # Another instance may have applied it while this one waited for the lock.
            applied = await _verified(conn, migrations)
            if migration.version in applied:
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
        version, name, checksum = row["version"], row["name"], row["checksum"]
        applied.add(version)
        migration = known.get(version)
        if migration is None:
            log.warning("migration %04d_%s is applied but unknown to this version", version, name)
        elif migration.checksum != checksum:
            raise MigrationError(
                f"migration {version:04d}_{migration.name} changed after it was applied "
                f"(checksum {checksum[:12]}… in the database, {migration.checksum[:12]}… now); "
                "add a new migration instead"
            )
    return applied


async def _run(settings: ProjectionsSettings, schema: str | None) -> list[Migration]:
    server_settings = {"search_path": schema} if schema else None
    conn = await asyncpg.connect(settings.postgres.database_url, server_settings=server_settings)
    try:
        return await migrate(conn)
    finally:
        await conn.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="suivi-projections-migrate", description=__doc__)
    parser.add_argument("--schema", help="apply in this (existing) schema instead of the default")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(message)s")
    try:
        done = asyncio.run(_run(ProjectionsSettings(), args.schema))
    except MigrationError as exc:
        print(f"suivi-projections-migrate: {exc}", file=sys.stderr)
        return 1
    print(f"suivi-projections-migrate: {len(done)} applied, schema up to date")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
