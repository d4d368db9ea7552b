"""Versioned SQL migrations for a service's own tables: `migrations/NNNN_name.sql` in its package.

Each file runs in its own transaction together with its row in the service's bookkeeping table;
an applied file whose content changed is refused (write a new file instead). Instances starting
together serialize on a transaction-scoped advisory lock (one per schema, so test schemas and
tenants migrate independently), so each file is applied exactly once. Tables go to the first
schema of the connection's `search_path`. `main` is every service's migrate command.
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
_IDENTIFIER = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


class MigrationError(RuntimeError):
    pass


@dataclass(frozen=True, slots=True)
class Migration:
    version: int
    name: str
    sql: str
    checksum: str


class Migrations:
    """The migrations of one package, recorded in its own bookkeeping table."""

    def __init__(self, package: str, table: str = "schema_migrations") -> None:
        if not _IDENTIFIER.match(table):
            raise ValueError(f"not a plain table name: {table!r}")
        self.package = package
        # The table name is a constant of the calling service, never input: safe to interpolate.
        self._create = f"""
CREATE TABLE IF NOT EXISTS {table} (
    version    integer PRIMARY KEY,
    name       text NOT NULL,
    applied_at timestamptz NOT NULL DEFAULT now(),
    checksum   text NOT NULL
)"""
        self._lock = (
            "SELECT pg_advisory_xact_lock(hashtextextended("
            f"'{package}.migrate:' || coalesce(current_schema(), ''), 0))"
        )
        self._applied = f"SELECT version, name, checksum FROM {table}"  # noqa: S608
        self._record = f"INSERT INTO {table} (version, name, checksum) VALUES ($1, $2, $3)"  # noqa: S608

    def load(self) -> list[Migration]:
        """The package's migration files, by version."""
        folder = resources.files(self.package) / "migrations"
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

    async def apply(
        self, conn: asyncpg.Connection, migrations: list[Migration] | None = None
    ) -> list[Migration]:
        """Applies the pending migrations; returns those this call applied."""
        migrations = self.load() if migrations is None else migrations
        async with conn.transaction():
            await conn.execute(self._lock)
            await conn.execute(self._create)
            applied = await self._verified(conn, migrations)
        done: list[Migration] = []
        for migration in migrations:
            if migration.version in applied:
                continue
            async with conn.transaction():
                await conn.execute(self._lock)
                # Another instance may have applied it while this one waited for the lock.
                applied = await self._verified(conn, migrations)
                if migration.version in applied:
                    continue
                await conn.execute(migration.sql)
                await conn.execute(
                    self._record, migration.version, migration.name, migration.checksum
                )
            log.info("applied migration %04d_%s", migration.version, migration.name)
            done.append(migration)
        return done

    async def _verified(self, conn: asyncpg.Connection, migrations: list[Migration]) -> set[int]:
        known = {m.version: m for m in migrations}
        applied: set[int] = set()
        for row in await conn.fetch(self._applied):
            version, name, checksum = row["version"], row["name"], row["checksum"]
            applied.add(version)
            migration = known.get(version)
            if migration is None:
                log.warning(
                    "migration %04d_%s is applied but unknown to this version", version, name
                )
            elif migration.checksum != checksum:
                raise MigrationError(
                    f"migration {version:04d}_{migration.name} changed after it was applied "
                    f"(checksum {checksum[:12]}… in the database, {migration.checksum[:12]}… now); "
                    "add a new migration instead"
                )
        return applied

    def cli(self, prog: str, database_url: str, argv: list[str] | None, doc: str | None) -> int:
        """`<prog> [--schema S]`: applies what is pending, says how many."""
        parser = argparse.ArgumentParser(prog=prog, description=doc)
        parser.add_argument(
            "--schema", help="apply in this (existing) schema instead of the default"
        )
        args = parser.parse_args(argv)
        logging.basicConfig(level=logging.INFO, format="%(levelname)s %(message)s")

        async def run() -> list[Migration]:
            server_settings = {"search_path": args.schema} if args.schema else None
            conn = await asyncpg.connect(database_url, server_settings=server_settings)
            try:
                return await self.apply(conn)
            finally:
                await conn.close()

        try:
            done = asyncio.run(run())
        except MigrationError as exc:
            print(f"{prog}: {exc}", file=sys.stderr)
            return 1
        print(f"{prog}: {len(done)} applied, schema up to date")
        return 0


def main(
    migrations: Migrations, prog: str, argv: list[str] | None = None, *, doc: str | None = None
) -> int:
    """Every service's migrate command (`<prog> [--schema S]`), against DATABASE_URL: only the
    connection is read, so migrating needs none of the service's own settings or secrets."""
    return migrations.cli(prog, PostgresSettings().database_url, argv, doc)
