"""`suivi-aftersales-migrate`: applies the after-sales SQL files (`db/migrations/`) in order.

Own bookkeeping table (`aftersales_schema_migrations`), so after-sales shares a database with
the other services without touching theirs. The runner is shared: `suivi_infra.migrations`.
"""

from __future__ import annotations

import asyncpg

from suivi_infra.migrations import Migration, Migrations
from suivi_infra.settings import PostgresSettings

MIGRATIONS = Migrations("suivi_aftersales.db", table="aftersales_schema_migrations")


async def migrate(
    conn: asyncpg.Connection, migrations: list[Migration] | None = None
) -> list[Migration]:
    """Applies the pending migrations; returns those this call applied."""
    return await MIGRATIONS.apply(conn, migrations)


def main(argv: list[str] | None = None) -> int:
    url = PostgresSettings().database_url
    return MIGRATIONS.cli("suivi-aftersales-migrate", url, argv, __doc__)


if __name__ == "__main__":
    raise SystemExit(main())
