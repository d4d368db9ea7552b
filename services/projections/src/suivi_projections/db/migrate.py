"""`suivi-projections-migrate`: applies the projections' versioned SQL files (`migrations/`).

Bookkeeping in `schema_migrations`; the runner is shared: `suivi_infra.migrations`.
"""

from __future__ import annotations

import asyncpg

from suivi_infra.migrations import Migration, MigrationError, Migrations
from suivi_infra.migrations import main as migrate_command

MIGRATIONS = Migrations("suivi_projections.db", table="schema_migrations")

__all__ = ["Migration", "MigrationError", "load_migrations", "main", "migrate"]


def load_migrations() -> list[Migration]:
    return MIGRATIONS.load()


async def migrate(
    conn: asyncpg.Connection, migrations: list[Migration] | None = None
) -> list[Migration]:
    """Applies the pending migrations; returns those this call applied."""
    return await MIGRATIONS.apply(conn, migrations)


def main(argv: list[str] | None = None) -> int:
    # The shared command reads only the connection: no token key needed to migrate.
    return migrate_command(MIGRATIONS, "suivi-projections-migrate", argv, doc=__doc__)


if __name__ == "__main__":
    raise SystemExit(main())
