"""`suivi-notifier-migrate`: applies the notifier's versioned SQL files (`db/migrations/`) in order.

The notifier keeps its own bookkeeping table, `notifier_schema_migrations`, so it can share a
database (and schema) with other services without touching theirs. The runner is shared:
`suivi_infra.migrations`.
"""

from __future__ import annotations

import asyncpg

from suivi_infra import migrations
from suivi_infra.migrations import Migration, MigrationError, Migrations

MIGRATIONS = Migrations("suivi_notifier.db", table="notifier_schema_migrations")

__all__ = ["Migration", "MigrationError", "load_migrations", "main", "migrate"]


def load_migrations() -> list[Migration]:
    return MIGRATIONS.load()


async def migrate(
    conn: asyncpg.Connection, migrations: list[Migration] | None = None
) -> list[Migration]:
    """Applies the pending migrations; returns those this call applied."""
    return await MIGRATIONS.apply(conn, migrations)


def main(argv: list[str] | None = None) -> int:
    return migrations.main(MIGRATIONS, "suivi-notifier-migrate", argv, doc=__doc__)


if __name__ == "__main__":
    raise SystemExit(main())
