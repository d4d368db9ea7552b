"""The one trigger vocabulary: statuses and alert kinds that exist, legacy names read as current."""

from __future__ import annotations

from suivi_schemas import AlertKind, ShipmentStatus
from suivi_schemas.merchants import NotificationSettings
from suivi_schemas.triggers import (
    DEFAULT_TRIGGERS,
    NOTIFICATION_TRIGGERS,
    TRIGGER_MEANINGS,
    current_triggers,
)


def test_every_trigger_is_a_status_or_an_alert_kind_and_has_a_meaning() -> None:
    known = {s.value for s in ShipmentStatus} | {k.value for k in AlertKind}
    assert set(NOTIFICATION_TRIGGERS) <= known
    assert set(TRIGGER_MEANINGS) == set(NOTIFICATION_TRIGGERS)
    assert "revised" not in DEFAULT_TRIGGERS


def test_legacy_shipped_reads_as_in_transit_and_unknown_names_are_dropped() -> None:
    assert current_triggers(["delivered", "shipped", "teleported", "in_transit"]) == (
        "in_transit",
        "delivered",
    )


def test_an_old_console_record_reads_with_current_names() -> None:
    old = {"triggers": ["shipped", "out_for_delivery", "delivered", "exception"]}
    settings = NotificationSettings.model_validate(old)
    assert settings.triggers == ("in_transit", "out_for_delivery", "delivered", "exception")
    assert NotificationSettings.model_validate_json(settings.model_dump_json()) == settings


def test_new_settings_default_to_the_notifiers_defaults() -> None:
    assert NotificationSettings().triggers == DEFAULT_TRIGGERS
