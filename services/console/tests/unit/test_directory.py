"""MerchantDirectory without a broker: revisions, validity windows, tombstones, env keys."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from suivi_infra.merchants import MerchantDirectory
from suivi_schemas.merchants import ApiKeyDigest, Branding, MerchantRecord, key_digest

NOW = datetime(2026, 12, 6, 5, 0, tzinfo=UTC)


def record(
    revision: int, *keys: tuple[str, datetime | None], active: bool = True
) -> MerchantRecord:
    return MerchantRecord(
        merchant_id="atelier", revision=revision, updated_at=NOW, active=active,
        branding=Branding(display_name="Atelier"),
        api_keys=tuple(
            ApiKeyDigest(key_id=f"k{i}", sha256=key_digest(k), valid_from=NOW - timedelta(hours=1),
                         valid_until=until)
            for i, (k, until) in enumerate(keys)
        ),
    )  # fmt: skip


def test_keys_by_digest_within_their_window() -> None:
    clock = [NOW]
    directory = MerchantDirectory((("northwind", "env-key-000000000001"),), lambda: clock[0])
    directory.apply("atelier", record(1, ("key-a", None), ("key-b", NOW + timedelta(hours=1))))
    assert directory.merchant_for_key("key-a") == "atelier"
    assert directory.merchant_for_key("key-b") == "atelier"
    assert directory.merchant_for_key("env-key-000000000001") == "northwind"
    assert directory.merchant_for_key("nope") is None
    clock[0] = NOW + timedelta(hours=1)
    assert directory.merchant_for_key("key-b") is None  # grace period over


def test_newer_revision_replaces_older_is_ignored_tombstone_deletes() -> None:
    directory = MerchantDirectory(clock=lambda: NOW)
    directory.apply("atelier", record(2, ("key-a", None)))
    directory.apply("atelier", record(1, ("key-old", None)))  # late, older: ignored
    assert directory.merchant_for_key("key-old") is None
    directory.apply("atelier", record(3, ("key-c", None)))  # key-a revoked
    assert directory.merchant_for_key("key-a") is None
    assert directory.merchant_for_key("key-c") == "atelier"
    directory.apply("atelier", record(4, ("key-c", None), active=False))
    assert directory.merchant_for_key("key-c") is None
    assert directory.record("atelier") is None
    directory.apply("atelier", record(5, ("key-c", None)))
    assert directory.record("atelier") is not None
    directory.handle(b"atelier", None)
    assert directory.merchant_for_key("key-c") is None


def test_unreadable_or_mismatched_records_are_skipped() -> None:
    directory = MerchantDirectory(clock=lambda: NOW)
    directory.handle(b"atelier", b"{not json")
    directory.handle(b"other", record(1, ("key-a", None)).model_dump_json().encode())
    directory.handle(None, b"{}")
    assert directory.merchant_for_key("key-a") is None
