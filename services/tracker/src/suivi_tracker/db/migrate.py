"""`suivi-tracker-migrate`: applies the tracker's versioned SQL files (`db/migrations/`) in order.

Own bookkeeping table (`tracker_schema_migrations`), so the tracker shares a database with the
other services without touching theirs. The runner is shared: `suivi_infra.migrations`.
"""

from __future__ import annotations

import asyncpg

from suivi_infra import migrations
from suivi_infra.migrations import Migration, Migrations

MIGRATIONS = Migrations("suivi_tracker.db", table="tracker_schema_migrations")


async def migrate(
    conn: asyncpg.Connection, migrations: list[Migration] | None = None
) -> list[Migration]:
    """Applies the pending migrations; returns those this call applied."""
    return await MIGRATIONS.apply(conn, migrations)


def main(argv: list[str] | None = None) -> int:
    return migrations.main(MIGRATIONS, "suivi-tracker-migrate", argv, doc=__doc__)


if __name__ == "__main__":
    raise SystemExit(main())
