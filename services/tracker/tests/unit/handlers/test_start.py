"""Starting a tracking, without a database: number rules, carrier given or detected (uncertain
under 0.8), and the state a new tracking gets from routing and the source's needs."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from suivi_tracker.domain.sources import Mode
from suivi_tracker.handlers.start import (
    Refused,
    StartRequest,
    StartTracking,
    choose_carrier,
    clean_number,
)
from suivi_tracker.testing.fakes import FakeSource

NOW = datetime(2026, 3, 2, tzinfo=UTC)


def test_numbers_are_normalised_and_checked() -> None:
    assert clean_number(" 1z 999-aa1 0123 4567 84 ") == "1Z999AA10123456784"
    with pytest.raises(Refused) as long:
        clean_number("9" * 41)
    assert long.value.code == "tracking_number_too_long"
    full_width = "".join(chr(0xFF10 + int(d)) for d in "12345678901")
    assert clean_number("6A" + full_width) == "6A12345678901"
    for bad in ("1234", "12$4567890", "ABC_12345", "6A12345678901*"):
        with pytest.raises(Refused) as invalid:
            clean_number(bad)
        assert invalid.value.code == "tracking_number_invalid"


def test_a_given_carrier_is_canonical_and_known() -> None:
    assert choose_carrier(StartRequest("x", carrier="La Poste"), "6A12345678901") == (
        "laposte", [], False,
    )  # fmt: skip
    with pytest.raises(Refused) as unknown:
        choose_carrier(StartRequest("x", carrier="pigeon-post"), "6A12345678901")
    assert unknown.value.code == "unknown_carrier"


def test_orders_fall_back_to_detection_for_a_carrier_suivi_does_not_know() -> None:
    request = StartRequest("x", carrier="Other", detect_unknown_carrier=True)
    carrier, candidates, uncertain = choose_carrier(request, "1Z999AA10123456784")
    assert (carrier, uncertain) == ("ups", False) and candidates[0].confidence >= 0.8


def test_detection_below_point_eight_is_uncertain_and_nothing_detected_is_refused() -> None:
    carrier, candidates, uncertain = choose_carrier(StartRequest("x"), "9261292700768711948021")
    assert (carrier, uncertain) == ("usps", True) and len(candidates) > 1
    with pytest.raises(Refused) as none:
        choose_carrier(StartRequest("x"), "ZZZZZZZZZZ")
    assert none.value.code == "carrier_not_detected"


def test_new_tracking_states() -> None:
    laposte = FakeSource("laposte", Mode.POLL, frozenset({"laposte"}), requires=("postal_code",))
    starter = StartTracking([laposte], (), {})
    request = StartRequest("6A12345678901", carrier="laposte")
    needs = starter.new_tracking(request, "6A12345678901", "laposte", [], False, NOW)
    assert (needs.state, needs.needs, needs.next_due_at) == ("needs_info", ("postal_code",), None)
    given = StartRequest("6A12345678901", carrier="laposte", postal_code="75015")
    ready = starter.new_tracking(given, "6A12345678901", "laposte", [], False, NOW)
    assert (ready.state, ready.source, ready.mode, ready.next_due_at) == (
        "pending", "laposte", "poll", NOW,
    )  # fmt: skip
    unsupported = starter.new_tracking(request, "1234567890", "dhl", [], False, NOW)
    assert (unsupported.state, unsupported.source, unsupported.next_due_at) == (
        "unsupported", None, None,
    )  # fmt: skip
