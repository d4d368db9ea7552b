"""The migration runner: in order, once, in the test's own schema, refusing edited history."""

from __future__ import annotations

import asyncio
import dataclasses

import asyncpg
import pytest

from suivi_infra.settings import PostgresSettings
from suivi_projections.db.migrate import MigrationError, load_migrations, main, migrate


def test_files_are_numbered_and_ordered() -> None:
    migrations = load_migrations()
    # Increasing and unique; features in flight take their issue's number (0017, 0021…).
    versions = [m.version for m in migrations]
    assert versions == sorted(set(versions)) and versions[0] == 1
    assert all(len(m.checksum) == 64 and m.sql.strip() for m in migrations)


async def test_applies_every_file_once_in_the_schema_of_the_connection(
    pg_pool: asyncpg.Pool, pg_schema: str
) -> None:
    async with pg_pool.acquire() as conn:
        done = await migrate(conn)
        again = await migrate(conn)
        rows = await conn.fetch("SELECT version, name, checksum FROM schema_migrations ORDER BY 1")
        tables = await conn.fetch(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = $1", pg_schema
        )
    assert [m.version for m in done] == [m.version for m in load_migrations()]
    assert again == []
    assert [(r[0], r[1], r[2]) for r in rows] == [(m.version, m.name, m.checksum) for m in done]
    assert {r[0] for r in tables} >= {"schema_migrations", "orders", "shipments", "shipment_events"}


async def test_an_applied_file_that_changed_is_refused(pg_pool: asyncpg.Pool) -> None:
    migrations = load_migrations()
    async with pg_pool.acquire() as conn:
        await migrate(conn, migrations[:1])
        edited = dataclasses.replace(migrations[0], checksum="0" * 64)
        with pytest.raises(MigrationError, match="changed after it was applied"):
            await migrate(conn, [edited, *migrations[1:]])
        assert await conn.fetchval("SELECT count(*) FROM schema_migrations") == 1


async def test_a_failing_file_rolls_back_alone(pg_pool: asyncpg.Pool) -> None:
    good, *_ = load_migrations()
    bad = dataclasses.replace(good, version=2, name="broken", sql="CREATE TABLE x (; ")
    async with pg_pool.acquire() as conn:
        with pytest.raises(asyncpg.PostgresSyntaxError):
            await migrate(conn, [good, bad])
        assert await conn.fetchval("SELECT array_agg(version) FROM schema_migrations") == [1]


async def test_instances_starting_together_apply_each_file_once(
    postgres_settings: PostgresSettings, pg_schema: str
) -> None:
    conns = [
        await asyncpg.connect(
            postgres_settings.database_url, server_settings={"search_path": pg_schema}
        )
        for _ in range(4)
    ]
    try:
        results = await asyncio.gather(*(migrate(c) for c in conns))
        count = await conns[0].fetchval("SELECT count(*) FROM schema_migrations")
    finally:
        for conn in conns:
            await conn.close()
    # Each file applied by exactly one of them (not necessarily all by the same one).
    applied = sorted(m.version for r in results for m in r)
    assert applied == [m.version for m in load_migrations()] and count == len(applied)


def test_the_console_script_migrates_a_named_schema(
    postgres_settings: PostgresSettings, pg_schema: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--schema", pg_schema]) == 0
    assert main(["--schema", pg_schema]) == 0
    out = capsys.readouterr().out
    assert f"{len(load_migrations())} applied" in out and "0 applied" in out
