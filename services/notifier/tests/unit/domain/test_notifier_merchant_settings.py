"""Precedence of a merchant's console settings (merchants.v1) over the environment's."""

from __future__ import annotations

from datetime import UTC, datetime, time

from suivi_notifier.domain.merchant_settings import (
    MerchantTriggers,
    channel_off,
    digest_minutes,
    quiet_hours,
)
from suivi_notifier.domain.planning import QuietHours
from suivi_notifier.domain.triggers import CONFIGURABLE, DEFAULT_TRIGGERS
from suivi_schemas import Channel
from suivi_schemas.merchants import MerchantRecord, NotificationSettings

AT = datetime(2026, 3, 2, 12, tzinfo=UTC)
DEFAULT_QUIET = QuietHours(time(21), time(8), "Europe/Paris")


def record(merchant: str, revision: int = 1, **notifications: object) -> MerchantRecord:
    """A console record as read from the topic (JSON), so legacy names go through the parser."""
    return MerchantRecord.model_validate(
        {
            "merchant_id": merchant,
            "revision": revision,
            "updated_at": AT.isoformat(),
            "branding": {"display_name": merchant.title(), "contact_email": "ops@shop.test"},
            "notifications": notifications,
        }
    )


def triggers(records: dict[str, NotificationSettings]) -> MerchantTriggers:
    return MerchantTriggers(
        frozenset({"delivered", "in_transit"}),
        {"calm": frozenset({"exception"}), "loud": frozenset(DEFAULT_TRIGGERS)},
        records.get,
    )


def test_a_record_wins_over_the_environment_and_env_serves_merchants_without_one() -> None:
    records = {"calm": record("calm", triggers=["delivered", "stalled"]).notifications}
    policy = triggers(records)
    assert policy.enabled("calm") == {"delivered", "stalled"}  # env said only 'exception'
    assert policy.enabled("loud") == DEFAULT_TRIGGERS  # no record: its env set
    assert policy.enabled("other") == {"delivered", "in_transit"}  # no record: env default
    assert policy.enabled(None) == CONFIGURABLE
    assert policy.enabled_for_any(["calm", "other"]) == {"delivered", "stalled", "in_transit"}


def test_a_record_with_no_trigger_tells_nothing_rather_than_the_env_default() -> None:
    policy = triggers({"calm": record("calm", triggers=[]).notifications})
    assert policy.enabled("calm") == frozenset()


def test_legacy_shipped_in_an_old_record_enables_in_transit() -> None:
    old = record("calm", triggers=["shipped", "delivered"]).notifications
    assert triggers({"calm": old}).enabled("calm") == {"in_transit", "delivered"}


def test_settings_are_read_at_each_decision() -> None:
    records: dict[str, NotificationSettings] = {}
    policy = triggers(records)
    assert policy.enabled("calm") == {"exception"}
    records["calm"] = record("calm", triggers=["late"]).notifications
    assert policy.enabled("calm") == {"late"}
    del records["calm"]  # a tombstone: back to the environment
    assert policy.enabled("calm") == {"exception"}


def test_channels_quiet_hours_and_digest_of_a_record() -> None:
    settings = record(
        "calm", channels=["email"], quiet_start="22:30", quiet_end="07:15", digest="weekly"
    ).notifications
    assert channel_off(settings, Channel.SMS) and channel_off(settings, Channel.PUSH)
    assert not channel_off(settings, Channel.EMAIL)
    assert quiet_hours(settings, DEFAULT_QUIET) == QuietHours(
        time(22, 30), time(7, 15), "Europe/Paris"
    )
    assert digest_minutes(settings, 60) == 7 * 24 * 60
    off = record("calm", digest="off").notifications
    assert digest_minutes(off, 60) is None
    assert quiet_hours(off, DEFAULT_QUIET) == DEFAULT_QUIET  # unset: the deployment's


def test_without_a_record_every_channel_is_on_and_the_env_decides() -> None:
    assert not any(channel_off(None, c) for c in (Channel.EMAIL, Channel.SMS, Channel.PUSH))
    assert quiet_hours(None, DEFAULT_QUIET) == DEFAULT_QUIET
    assert digest_minutes(None, 60) == 60
    assert digest_minutes(None, None) is None
