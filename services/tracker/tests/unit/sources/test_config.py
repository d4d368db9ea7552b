"""SourcesSettings from the environment, and build_sources building only configured sources."""

from __future__ import annotations

import pytest

from suivi_tracker.adapters.sources.config import SourcesSettings, build_sources
from suivi_tracker.domain.sources import Mode


async def test_only_sources_with_credentials_are_built(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in {
        "SUIVI_TRACKER_LAPOSTE__API_KEY": "okapi",
        "SUIVI_TRACKER_USPS__CLIENT_ID": "id",
        "SUIVI_TRACKER_USPS__CLIENT_SECRET": "secret",
        "SUIVI_TRACKER_UPS__CLIENT_ID": "id",  # no secret: not configured
        "SUIVI_TRACKER_EASYPOST__API_KEY": "ep",
        "SUIVI_TRACKER_DHL__DAILY_QUOTA": "1000",
    }.items():
        monkeypatch.setenv(name, value)
    settings = SourcesSettings()
    sources = build_sources(settings)
    try:
        assert [(s.name, s.mode) for s in sources] == [
            ("laposte", Mode.POLL), ("usps", Mode.POLL), ("easypost", Mode.PUSH)
        ]  # fmt: skip
        assert settings.dhl.daily_quota == 1000
        assert settings.laposte.base_url == "https://api.laposte.fr/suivi/v2"
        assert "okapi" not in repr(settings)  # secrets never printed
    finally:
        for source in sources:
            await source.close()


def test_push_destinations_are_ingest_webhook_routes() -> None:
    settings = SourcesSettings(ingest_base_url="https://suivi.example.com/")
    assert settings.webhook_url("ups") == "https://suivi.example.com/v1/webhooks/ups"
