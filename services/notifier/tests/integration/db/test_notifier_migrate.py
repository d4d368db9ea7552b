"""The notifier's migrations: applied once, in its own bookkeeping table, refused if edited."""

from __future__ import annotations

import asyncpg
import pytest

from suivi_notifier.db.migrate import Migration, MigrationError, load_migrations, migrate


async def test_notifier_migrations_apply_once_and_own_their_tables(pg_pool: asyncpg.Pool) -> None:
    async with pg_pool.acquire() as conn:
        applied = await migrate(conn)
        assert [m.version for m in applied] == [m.version for m in load_migrations()]
        assert await migrate(conn) == []
        tables = {
            r["tablename"]
            for r in await conn.fetch(
                "SELECT tablename FROM pg_tables WHERE schemaname = current_schema()"
            )
        }
    assert tables == {
        "notifier_schema_migrations", "notifier_orders", "notifier_order_shipments",
        "notifier_push_subscriptions", "notifier_shipments", "notifier_deliveries",
        "notifier_outbox", "notifier_alerts", "notifier_merchant_webhooks", "notifier_digests",
        "notifier_digest_items", "notifier_aftersales_events", "notifier_aftersales_webhooks",
        "notifier_leg_aliases",
    }  # fmt: skip


async def test_notifier_edited_migration_is_refused(pg_pool: asyncpg.Pool) -> None:
    async with pg_pool.acquire() as conn:
        await migrate(conn)
        first = load_migrations()[0]
        edited = Migration(first.version, first.name, first.sql, "0" * 64)
        with pytest.raises(MigrationError, match="changed after it was applied"):
            await migrate(conn, [edited])
