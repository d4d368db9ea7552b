"""The pure decisions: late events, first time only, debounce, plans, gates, schedules."""

from __future__ import annotations

import random
import uuid
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from suivi_notifier.adapters.i18n import carrier_name, language
from suivi_notifier.domain.planning import (
    Capabilities,
    GateAction,
    QuietHours,
    Recipient,
    TriggerOutcome,
    gate,
    plan,
)
from suivi_notifier.domain.schedule import quiet_until, retry_delay, zone
from suivi_notifier.domain.shipment import Pending, StatusFact, Verdict, apply_event
from suivi_notifier.domain.triggers import (
    CONFIGURABLE,
    TRIGGER_NAMES,
    TriggerPolicy,
    parse_triggers,
)
from suivi_schemas import Channel

T0 = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)
WINDOW = timedelta(seconds=60)


def fact(status: str, minutes: float = 0) -> StatusFact:
    return StatusFact(uuid.uuid4(), status, T0 + timedelta(minutes=minutes))


def test_notifier_first_trigger_becomes_pending_due_after_the_window() -> None:
    state, verdict = apply_event(None, fact("in_transit"), now=T0, debounce=WINDOW)
    assert verdict is Verdict.TRIGGERED
    assert state.pending is not None
    assert state.pending.trigger == "in_transit"
    assert state.pending.due_at == T0 + WINDOW
    assert state.reached == {"in_transit"}


def test_notifier_non_trigger_status_moves_the_shipment_only() -> None:
    state, verdict = apply_event(None, fact("info_received"), now=T0, debounce=WINDOW)
    assert verdict is Verdict.APPLIED
    assert state.pending is None and state.latest_status == "info_received"


def test_notifier_late_older_event_changes_nothing() -> None:
    state, _ = apply_event(None, fact("out_for_delivery", 10), now=T0, debounce=WINDOW)
    later, verdict = apply_event(state, fact("in_transit", 5), now=T0, debounce=WINDOW)
    assert verdict is Verdict.LATE
    assert later == state


def test_notifier_same_event_again_is_a_duplicate() -> None:
    first = fact("delivered")
    state, _ = apply_event(None, first, now=T0, debounce=WINDOW)
    again, verdict = apply_event(state, first, now=T0 + WINDOW, debounce=WINDOW)
    assert verdict is Verdict.DUPLICATE and again == state


def test_notifier_a_status_triggers_only_the_first_time() -> None:
    state, _ = apply_event(None, fact("out_for_delivery", 0), now=T0, debounce=WINDOW)
    state, _ = apply_event(state, fact("delivery_attempt_failed", 60), now=T0, debounce=WINDOW)
    again, verdict = apply_event(state, fact("out_for_delivery", 1440), now=T0, debounce=WINDOW)
    assert verdict is Verdict.APPLIED
    assert again.pending == state.pending


def test_notifier_burst_keeps_the_latest_trigger_and_the_first_due_time() -> None:
    state, _ = apply_event(None, fact("in_transit", 0), now=T0, debounce=WINDOW)
    state, _ = apply_event(
        state, fact("out_for_delivery", 1), now=T0 + timedelta(seconds=20), debounce=WINDOW
    )
    state, _ = apply_event(
        state, fact("delivered", 2), now=T0 + timedelta(seconds=40), debounce=WINDOW
    )
    assert state.pending is not None
    assert state.pending.trigger == "delivered"
    assert state.pending.due_at == T0 + WINDOW  # the window is not extended
    assert state.reached == {"in_transit", "out_for_delivery", "delivered"}


def test_notifier_disabled_trigger_is_reached_but_never_pending() -> None:
    state, verdict = apply_event(
        None, fact("in_transit"), now=T0, debounce=WINDOW, enabled=frozenset({"delivered"})
    )
    assert verdict is Verdict.APPLIED
    assert state.pending is None and "in_transit" in state.reached


def test_notifier_trigger_policy_per_merchant() -> None:
    policy = TriggerPolicy.build(TRIGGER_NAMES, {"calm": ["delivered"]})
    assert policy.enabled("calm") == {"delivered"}
    assert policy.enabled("other") == TRIGGER_NAMES
    assert policy.enabled(None) == CONFIGURABLE  # statuses and alert kinds
    assert policy.enabled_for_any(["calm"]) == {"delivered"}
    with pytest.raises(ValueError, match="unknown trigger"):
        parse_triggers(["delivered", "teleported"])


PENDING = Pending("delivered", uuid.uuid4(), T0, T0 + WINDOW)
ALL = Capabilities()


def test_notifier_plan_uses_only_opted_in_reachable_channels() -> None:
    shopper = Recipient("shop", "1", email="a@b.test", phone="+33612345678", opt_sms=True)
    decided = plan(
        PENDING,
        shopper,
        enabled=TRIGGER_NAMES,
        capabilities=ALL,
        now=T0,
        max_age=timedelta(hours=48),
    )
    assert decided.outcome is TriggerOutcome.NOTIFY
    assert decided.channels == (Channel.EMAIL, Channel.SMS)
    silent = Recipient("shop", "1", email="a@b.test", opt_email=False)
    none = plan(
        PENDING,
        silent,
        enabled=TRIGGER_NAMES,
        capabilities=ALL,
        now=T0,
        max_age=timedelta(hours=48),
    )
    assert none.outcome is TriggerOutcome.NO_CHANNEL
    pushed = Recipient("shop", "1", email=None, push_subscriptions=2)
    assert plan(
        PENDING, pushed, enabled=TRIGGER_NAMES, capabilities=ALL, now=T0, max_age=timedelta(hours=1)
    ).channels == (Channel.PUSH,)


@pytest.mark.parametrize(
    ("recipient", "enabled", "now", "outcome"),
    [
        (Recipient("s", "1", cancelled=True), TRIGGER_NAMES, T0, TriggerOutcome.CANCELLED),
        (Recipient("s", "1", shipment_active=False), TRIGGER_NAMES, T0, TriggerOutcome.CANCELLED),
        (
            Recipient("s", "1", email="a@b.test"),
            frozenset({"in_transit"}),
            T0,
            TriggerOutcome.DISABLED,
        ),
        (
            Recipient("s", "1", email="a@b.test"),
            TRIGGER_NAMES,
            T0 + timedelta(hours=49),
            TriggerOutcome.STALE,
        ),
    ],
)
def test_notifier_plan_refusals(
    recipient: Recipient, enabled: frozenset[str], now: datetime, outcome: TriggerOutcome
) -> None:
    decided = plan(
        PENDING, recipient, enabled=enabled, capabilities=ALL, now=now, max_age=timedelta(hours=48)
    )
    assert decided.outcome is outcome and decided.channels == ()


QUIET = QuietHours(time(21), time(8))


def test_notifier_sms_at_night_is_deferred_to_the_morning_in_the_shopper_zone() -> None:
    shopper = Recipient("s", "1", phone="+33612345678", opt_sms=True, timezone="Europe/Paris")
    night = datetime(2026, 3, 10, 21, 30, tzinfo=UTC)  # 22:30 in Paris
    decision = gate(Channel.SMS, shopper, capabilities=ALL, quiet=QUIET, now=night)
    assert decision.action is GateAction.DEFER
    assert decision.until == datetime(2026, 3, 11, 8, 0, tzinfo=ZoneInfo("Europe/Paris"))
    day = datetime(2026, 3, 10, 9, 30, tzinfo=UTC)
    assert (
        gate(Channel.SMS, shopper, capabilities=ALL, quiet=QUIET, now=day).action is GateAction.SEND
    )
    # Email is never held back at night.
    mail = Recipient("s", "1", email="a@b.test", timezone="Europe/Paris")
    assert (
        gate(Channel.EMAIL, mail, capabilities=ALL, quiet=QUIET, now=night).action
        is GateAction.SEND
    )


def test_notifier_gate_skips_what_is_no_longer_wanted() -> None:
    gone = Recipient("s", "1", email="a@b.test", email_unsubscribed=True)
    assert gate(Channel.EMAIL, gone, capabilities=ALL, quiet=QUIET, now=T0).reason == "opted_out"
    assert (
        gate(Channel.EMAIL, None, capabilities=ALL, quiet=QUIET, now=T0).action is GateAction.SKIP
    )


def test_notifier_quiet_until_across_midnight_and_dst() -> None:
    paris = ZoneInfo("Europe/Paris")
    early = datetime(2026, 3, 29, 3, 30, tzinfo=paris)  # the night DST starts
    assert quiet_until(early, paris, time(21), time(8)) == datetime(2026, 3, 29, 8, 0, tzinfo=paris)
    assert quiet_until(datetime(2026, 3, 29, 12, 0, tzinfo=paris), paris, time(21), time(8)) is None
    assert zone("Not/AZone") is UTC


def test_notifier_retry_delay_grows_with_jitter_and_honours_retry_after() -> None:
    rng = random.Random(7)
    delays = [retry_delay(n, base_seconds=30, max_seconds=3600, rng=rng) for n in range(1, 10)]
    for n, delay in enumerate(delays, start=1):
        ceiling = min(3600, 30 * 2 ** (n - 1))
        assert ceiling / 2 <= delay <= ceiling
    assert retry_delay(3, base_seconds=30, max_seconds=3600, retry_after=120) == 120
    assert retry_delay(1, base_seconds=30, max_seconds=60, retry_after=10**9) == 6 * 3600


def test_notifier_language_and_carrier_names() -> None:
    assert language("fr-CA") == "fr" and language("fr") == "fr"
    assert language("de-AT") == "de" and language("pt") == "en" and language(None) == "en"
    assert carrier_name("laposte") == "La Poste" and carrier_name("ups") == "UPS"
