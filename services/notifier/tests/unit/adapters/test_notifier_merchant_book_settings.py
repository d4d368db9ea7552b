"""The merchant book's notification settings and digest: the console's record (read live from
the directory) over the environment's."""

from __future__ import annotations

from datetime import UTC, datetime

from suivi_infra.merchants import MerchantDirectory
from suivi_notifier.adapters.merchant_book import DigestTarget, MerchantBook
from suivi_notifier.settings import MerchantAlerts
from suivi_schemas.merchants import Branding, MerchantRecord, NotificationSettings


def record(merchant: str, revision: int = 1, **notifications: object) -> MerchantRecord:
    return MerchantRecord(
        merchant_id=merchant, revision=revision, updated_at=datetime(2026, 3, 2, tzinfo=UTC),
        branding=Branding(display_name=merchant, contact_email="ops@shop.test"),
        notifications=NotificationSettings.model_validate(notifications),
    )  # fmt: skip


def test_the_merchant_book_reads_the_directory_live() -> None:
    directory = MerchantDirectory()
    env = {"calm": MerchantAlerts(email="digest@calm.test", digest_minutes=30, locale="fr")}
    book = MerchantBook({}, env, directory)
    assert book.settings("calm") is None
    assert book.digest("calm") == DigestTarget("digest@calm.test", 30, "fr", "UTC")
    directory.apply("calm", record("calm", channels=["push"], digest="daily"))
    assert book.settings("calm") == NotificationSettings(channels=("push",))
    assert book.digest("calm") == DigestTarget("digest@calm.test", 24 * 60, "fr", "UTC")
    directory.apply("calm", record("calm", revision=2, digest="off"))
    assert book.digest("calm") is None
    # A record without an env entry: its contact email receives the digest.
    directory.apply("bold", record("bold", digest="weekly"))
    assert book.digest("bold") == DigestTarget("ops@shop.test", 7 * 24 * 60, "en", "UTC")
    assert book.digest("nobody") is None
