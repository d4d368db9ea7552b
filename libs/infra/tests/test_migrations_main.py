"""`suivi_infra.migrations.main`, the migrate command every service runs, on a real PostgreSQL."""

from __future__ import annotations

import pathlib
import uuid

import pytest

from suivi_infra.migrations import Migrations, main
from suivi_infra.settings import PostgresSettings

pytestmark = pytest.mark.integration


def _package(root: pathlib.Path, sql: str) -> str:
    name = f"migrating_{uuid.uuid4().hex[:8]}"
    folder = root / name / "migrations"
    folder.mkdir(parents=True)
    (root / name / "__init__.py").write_text('"""A package with migrations."""\n')
    (folder / "0001_items.sql").write_text(sql)
    return name


def test_applies_once_then_refuses_a_changed_file(
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: pathlib.Path,
    capsys: pytest.CaptureFixture[str],
    postgres_settings: PostgresSettings,
    pg_schema: str,
) -> None:
    monkeypatch.setenv("DATABASE_URL", postgres_settings.database_url)
    monkeypatch.syspath_prepend(str(tmp_path))
    package = _package(tmp_path, "CREATE TABLE items (id int PRIMARY KEY);\n")
    migrations = Migrations(package, table="test_schema_migrations")
    argv = ["--schema", pg_schema]

    assert main(migrations, "test-migrate", argv) == 0
    assert main(migrations, "test-migrate", argv) == 0
    first, second = capsys.readouterr().out.splitlines()
    assert (first, second) == (
        "test-migrate: 1 applied, schema up to date",
        "test-migrate: 0 applied, schema up to date",
    )

    (tmp_path / package / "migrations" / "0001_items.sql").write_text("CREATE TABLE other ();\n")
    assert main(migrations, "test-migrate", argv) == 1
    assert "changed after it was applied" in capsys.readouterr().err
