"""`suivi-aftersales-migrate`: applies the after-sales SQL files (`db/migrations/`) in order.

Own bookkeeping table (`aftersales_schema_migrations`), so after-sales shares a database with
the other services without touching theirs. The runner is shared: `suivi_infra.migrations`.
"""

from __future__ import annotations

from suivi_infra import migrations
from suivi_infra.migrations import Migrations

MIGRATIONS = Migrations("suivi_aftersales.db", table="aftersales_schema_migrations")

# Applies the pending migrations; returns those this call applied.
migrate = MIGRATIONS.apply


def main(argv: list[str] | None = None) -> int:
    return migrations.main(MIGRATIONS, "suivi-aftersales-migrate", argv, doc=__doc__)


if __name__ == "__main__":
    raise SystemExit(main())
