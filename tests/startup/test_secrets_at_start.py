"""Services refuse to start with no token key, or a public one, outside development mode."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from pathlib import Path

import pytest

from suivi_notifier.settings import NotifierSettings
from suivi_projections.db.migrate import main as migrate_main
from suivi_projections.settings import ProjectionsSettings
from suivi_projections.web.settings import ApiSettings

# Every service that derives or checks order-page tokens (and the API's lookup limits).
COMMANDS = ["suivi-projector", "suivi-projections-api", "suivi-notifier"]
PUBLIC_KEY = "dev-only-token-key-do-not-deploy"  # deploy/run/dev.env


def _run(command: str, **env: str) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith("SUIVI_")}
    # Unreachable servers: a service that wrongly starts fails later, never touches real data.
    base |= {
        "KAFKA_BOOTSTRAP_SERVERS": "127.0.0.1:9",
        "DATABASE_URL": "postgresql://x@127.0.0.1:9/x",
    }
    executable = Path(sys.executable).parent / command
    return subprocess.run(  # noqa: S603 - our own console scripts
        [str(executable)], env=base | env, capture_output=True, text=True, timeout=120
    )


@pytest.mark.parametrize("command", COMMANDS)
@pytest.mark.parametrize("key", [None, PUBLIC_KEY])
def test_services_refuse_to_start_without_a_deployment_key(command: str, key: str | None) -> None:
    done = _run(command, **({"SUIVI_TOKEN_KEY": key} if key else {}))
    assert done.returncode == 1
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr  # one clear line, no traceback
    assert "SUIVI_TOKEN_KEY" in lines[0]
    assert PUBLIC_KEY not in done.stderr


def test_services_configure_in_development_mode(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SUIVI_ENV", "development")
    monkeypatch.delenv("SUIVI_TOKEN_KEY", raising=False)
    assert ProjectionsSettings().tokens.token_key.get_secret_value()
    assert ApiSettings().tokens.token_key.get_secret_value()
    assert NotifierSettings().tokens.token_key.get_secret_value()


async def test_the_migration_tool_needs_no_token_key(
    monkeypatch: pytest.MonkeyPatch, pg_schema: str
) -> None:
    # `make migrate` runs it without dev.env: it must not refuse for a key it never uses.
    monkeypatch.delenv("SUIVI_ENV", raising=False)
    monkeypatch.delenv("SUIVI_TOKEN_KEY", raising=False)
    assert await asyncio.to_thread(migrate_main, ["--schema", pg_schema]) == 0
