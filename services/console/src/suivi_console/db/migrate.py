"""`suivi-console-migrate`: applies the console's versioned SQL files (`db/migrations/`) in order,
with its own bookkeeping table so it shares a database with the other services."""

from __future__ import annotations

import asyncpg

from suivi_infra.migrations import Migration, Migrations
from suivi_infra.settings import PostgresSettings

MIGRATIONS = Migrations("suivi_console.db", table="console_schema_migrations")


async def migrate(
    conn: asyncpg.Connection, migrations: list[Migration] | None = None
) -> list[Migration]:
    return await MIGRATIONS.apply(conn, migrations)


def main(argv: list[str] | None = None) -> int:
    url = PostgresSettings().database_url
    return MIGRATIONS.cli("suivi-console-migrate", url, argv, __doc__)


if __name__ == "__main__":
    raise SystemExit(main())
