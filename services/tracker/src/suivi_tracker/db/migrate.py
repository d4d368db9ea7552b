"""`suivi-tracker-migrate`: applies the tracker's versioned SQL files (`db/migrations/`) in order.

Own bookkeeping table (`tracker_schema_migrations`), so the tracker shares a database with the
other services without touching theirs. The runner is shared: `suivi_infra.migrations`.
"""

from __future__ import annotations

import asyncpg

from suivi_infra.migrations import Migration, Migrations
from suivi_infra.settings import PostgresSettings

MIGRATIONS = Migrations("suivi_tracker.db", table="tracker_schema_migrations")


async def migrate(
    conn: asyncpg.Connection, migrations: list[Migration] | None = None
) -> list[Migration]:
    """Applies the pending migrations; returns those this call applied."""
    return await MIGRATIONS.apply(conn, migrations)


def main(argv: list[str] | None = None) -> int:
    url = PostgresSettings().database_url
    return MIGRATIONS.cli("suivi-tracker-migrate", url, argv, __doc__)


if __name__ == "__main__":
    raise SystemExit(main())
