"""Routing: the carrier's own API first (push before poll), else aggregators in the preferred
order, else none; an override wins."""

from __future__ import annotations

from suivi_tracker.domain.routing import route
from suivi_tracker.domain.sources import Mode
from suivi_tracker.testing.fakes import FakeSource

LAPOSTE = FakeSource("laposte", Mode.POLL, frozenset({"laposte"}))
UPS_POLL = FakeSource("ups", Mode.POLL, frozenset({"ups"}))
UPS_PUSH = FakeSource("ups-alert", Mode.PUSH, frozenset({"ups"}))
EASYPOST = FakeSource("easypost", Mode.PUSH, frozenset({"ups", "usps", "laposte", "fedex"}))
AFTERSHIP = FakeSource("aftership", Mode.PUSH, frozenset({"ups", "usps", "laposte", "dpd"}))
ALL = [AFTERSHIP, EASYPOST, LAPOSTE, UPS_POLL, UPS_PUSH]


def test_own_api_before_aggregators_and_push_before_poll() -> None:
    assert route("laposte", ALL) is LAPOSTE
    assert route("ups", ALL) is UPS_PUSH
    assert route("ups", [UPS_POLL, EASYPOST]) is UPS_POLL


def test_aggregators_in_preference_order() -> None:
    assert route("usps", ALL) is EASYPOST
    assert route("usps", ALL, preference=("aftership", "easypost")) is AFTERSHIP
    assert route("dpd", ALL) is AFTERSHIP


def test_unsupported_when_nobody_serves_the_carrier() -> None:
    assert route("japan-post", ALL) is None
    assert route("laposte", []) is None


def test_override_names_the_source_or_nothing() -> None:
    assert route("laposte", ALL, overrides={"laposte": "aftership"}) is AFTERSHIP
    assert route("fedex", ALL, overrides={"fedex": "aftership"}) is None  # does not serve it
