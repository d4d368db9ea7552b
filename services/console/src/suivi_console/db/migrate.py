"""`suivi-console-migrate`: applies the console's versioned SQL files (`db/migrations/`) in order,
with its own bookkeeping table so it shares a database with the other services."""

from __future__ import annotations

from suivi_infra import migrations
from suivi_infra.migrations import Migrations

MIGRATIONS = Migrations("suivi_console.db", table="console_schema_migrations")

# Applies the pending migrations; returns those this call applied.
migrate = MIGRATIONS.apply


def main(argv: list[str] | None = None) -> int:
    return migrations.main(MIGRATIONS, "suivi-console-migrate", argv, doc=__doc__)


if __name__ == "__main__":
    raise SystemExit(main())
