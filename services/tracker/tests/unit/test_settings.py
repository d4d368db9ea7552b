"""TrackerSettings: routing strings, the schedule in operator units, refused merchant keys."""

from __future__ import annotations

from datetime import timedelta

import pytest
from pydantic import ValidationError

from suivi_tracker.settings import TrackerSettings


def test_routes_preference_and_schedule() -> None:
    settings = TrackerSettings.model_validate({
        "routes": "laposte:aftership, dhl:17track,bad", "route_preference": "aftership, easypost",
        "schedule": {"in_transit_hours": 2, "urgent_min_minutes": 20, "urgent_max_minutes": 10},
        "lease_seconds": 40, "call_timeout_seconds": 30,
    })  # fmt: skip
    assert settings.overrides() == {"laposte": "aftership", "dhl": "17track"}
    assert settings.preference() == ("aftership", "easypost")
    policy = settings.schedule.policy()
    assert policy.in_transit == timedelta(hours=2)
    assert policy.urgent_max == policy.urgent_min == timedelta(minutes=20)  # never below min
    assert settings.round_config().call_timeout_seconds == 20  # half the lease at most


def test_malformed_merchant_keys_are_refused_without_quoting_them() -> None:
    with pytest.raises(ValidationError) as refused:
        TrackerSettings.model_validate({"merchant_keys": "shop-a:short-secret"})
    assert "short-secret" not in str(refused.value)
