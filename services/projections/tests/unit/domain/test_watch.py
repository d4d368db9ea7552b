"""The pure stall / late rules: when a shipment is stalled or late, and when it recovers."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

from suivi_projections.domain.watch import (
    Facts,
    StallDefaults,
    Thresholds,
    Verdict,
    day_over,
    episode_id,
    evaluate,
)
from suivi_schemas import AlertKind, EstimateSource, ShipmentStatus

S = ShipmentStatus
K = AlertKind
T = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)  # a Monday
H = timedelta(hours=1)
D = timedelta(days=1)
E1 = uuid.UUID(int=1)
E2 = uuid.UUID(int=2)
DEFAULTS = Thresholds()


def facts(status: ShipmentStatus | None = S.IN_TRANSIT, **changes: object) -> Facts:
    base = Facts("laposte", "6A123", 1, status, E1, T, origin="FR", destination="FR")
    return replace(base, **changes)  # type: ignore[arg-type]


def kinds(verdict: Verdict) -> list[tuple[AlertKind, AlertKind]]:
    return [(a.kind, a.episode_kind) for a in verdict.alerts]


def test_domestic_silence_is_a_stall_after_three_days_once() -> None:
    quiet = evaluate(facts(), DEFAULTS, T + 3 * D - H)
    assert quiet.alerts == () and quiet.due_at == T + 3 * D and quiet.stall_episode is None
    stalled = evaluate(facts(), DEFAULTS, T + 3 * D)
    assert kinds(stalled) == [(K.STALLED, K.STALLED)]
    assert stalled.stall_episode == episode_id(K.STALLED, ("laposte", "6A123", 1), str(E1))
    assert stalled.alerts[0].expected_by == T + 3 * D
    assert "usually at most 3 days (default)" in stalled.alerts[0].detail
    assert stalled.due_at is None  # only a new event (or an estimate) can change anything now
    again = evaluate(facts(stall_episode=stalled.stall_episode), DEFAULTS, T + 9 * D)
    assert again.alerts == () and again.stall_episode == stalled.stall_episode


def test_a_new_event_ends_the_episode_and_a_later_silence_is_a_new_one() -> None:
    open_ = evaluate(facts(), DEFAULTS, T + 4 * D).stall_episode
    moved = facts(last_event_id=E2, last_event_at=T + 4 * D, stall_episode=open_)
    recovered = evaluate(moved, DEFAULTS, T + 4 * D + H)
    assert kinds(recovered) == [(K.RECOVERED, K.STALLED)]
    assert recovered.alerts[0].episode_id == open_ and recovered.stall_episode is None
    assert recovered.due_at == T + 7 * D
    second = evaluate(replace(moved, stall_episode=None), DEFAULTS, T + 7 * D)
    assert kinds(second) == [(K.STALLED, K.STALLED)] and second.stall_episode not in (None, open_)


def test_an_old_event_arriving_late_recovers_and_stalls_again_at_once() -> None:
    open_ = evaluate(facts(), DEFAULTS, T + 4 * D).stall_episode
    # The new latest event happened 5 days before we heard of it: silent ever since.
    late_news = facts(last_event_id=E2, last_event_at=T + D, stall_episode=open_)
    verdict = evaluate(late_news, DEFAULTS, T + 6 * D)
    assert kinds(verdict) == [(K.RECOVERED, K.STALLED), (K.STALLED, K.STALLED)]


def test_delivery_closes_an_open_stall_and_nothing_is_watched_after() -> None:
    open_ = evaluate(facts(), DEFAULTS, T + 4 * D).stall_episode
    done = facts(S.DELIVERED, last_event_id=E2, last_event_at=T + 5 * D, stall_episode=open_)
    verdict = evaluate(done, DEFAULTS, T + 5 * D)
    assert kinds(verdict) == [(K.RECOVERED, K.STALLED)] and verdict.due_at is None
    assert verdict.alerts[0].detail.startswith("delivered")
    assert evaluate(facts(S.DELIVERED), DEFAULTS, T + 30 * D).alerts == ()


def test_defaults_by_situation() -> None:
    def due(f: Facts) -> datetime | None:
        return evaluate(f, DEFAULTS, T).due_at

    assert due(facts(S.AVAILABLE_FOR_PICKUP)) == T + 2 * D
    assert due(facts(destination="DE")) == T + 7 * D
    assert due(facts(origin=None)) == T + 7 * D  # unknown lane: the lenient default
    assert evaluate(facts(status=None), DEFAULTS, T + 99 * D).due_at is None  # no event yet


def test_learned_thresholds_most_specific_level_first_and_bounded() -> None:
    learned = {
        ("laposte", "in_transit", "FR>FR"): (timedelta(hours=30), 80),
        ("laposte", "in_transit", "international"): (timedelta(days=5), 200),
        ("laposte", "in_transit", "*"): (timedelta(days=4), 300),
        ("laposte", "out_for_delivery", "*"): (timedelta(hours=2), 500),
    }
    thresholds = Thresholds(learned, StallDefaults())
    assert thresholds.for_("laposte", S.IN_TRANSIT, "FR", "FR").value == timedelta(hours=30)
    assert thresholds.for_("laposte", S.IN_TRANSIT, "FR", "BE").value == timedelta(days=5)
    assert thresholds.for_("laposte", S.IN_TRANSIT, None, "BE").value == timedelta(days=4)
    floor = thresholds.for_("laposte", S.OUT_FOR_DELIVERY, "FR", "FR")
    assert floor.value == timedelta(hours=24) and floor.samples == 500  # never below a day
    assert thresholds.for_("ups", S.IN_TRANSIT, "FR", "FR").lane == "default"
    stalled = evaluate(facts(), thresholds, T + 30 * H)
    assert kinds(stalled) == [(K.STALLED, K.STALLED)]
    assert "(80 similar gaps)" in stalled.alerts[0].detail


def carrier_eta(day: date, **changes: object) -> Facts:
    return replace(facts(eta_latest=day, eta_source=EstimateSource.CARRIER), **changes)  # type: ignore[arg-type]


def test_late_once_the_promised_day_is_over_everywhere() -> None:
    promised = date(2026, 3, 4)
    assert day_over(promised) == datetime(2026, 3, 5, 12, 0, tzinfo=UTC)
    moving = carrier_eta(promised, last_event_at=day_over(promised) - H)
    before = evaluate(moving, DEFAULTS, day_over(promised) - timedelta(seconds=1))
    assert before.alerts == () and before.due_at == day_over(promised)
    late = evaluate(moving, DEFAULTS, day_over(promised))
    assert kinds(late) == [(K.LATE, K.LATE)] and late.late_episode is not None
    assert late.alerts[0].expected_by == day_over(promised)
    assert "2026-03-04" in late.alerts[0].detail
    again = evaluate(replace(moving, late_episode=late.late_episode), DEFAULTS, day_over(promised))
    assert again.alerts == ()


def test_late_ends_with_delivery_or_a_new_estimate_not_yet_past() -> None:
    promised = date(2026, 3, 4)
    episode = evaluate(carrier_eta(promised), DEFAULTS, day_over(promised)).late_episode
    delivered = carrier_eta(promised, status=S.DELIVERED, late_episode=episode)
    assert kinds(evaluate(delivered, DEFAULTS, day_over(promised) + D)) == [(K.RECOVERED, K.LATE)]
    pushed = carrier_eta(date(2026, 3, 9), late_episode=episode, last_event_at=T + 3 * D)
    verdict = evaluate(pushed, DEFAULTS, day_over(promised) + H)
    assert kinds(verdict) == [(K.RECOVERED, K.LATE)] and verdict.late_episode is None
    assert "new estimate 2026-03-09" in verdict.alerts[0].detail
    still_past = carrier_eta(date(2026, 3, 5), late_episode=episode, last_event_at=T + 3 * D)
    assert evaluate(still_past, DEFAULTS, day_over(date(2026, 3, 5)) + H).alerts == ()


def test_only_carrier_estimates_make_a_shipment_late() -> None:
    predicted = facts(eta_latest=date(2026, 3, 3), eta_source=EstimateSource.PREDICTED)
    assert evaluate(predicted, DEFAULTS, T + 2 * D).alerts == ()


def test_episode_and_event_ids_are_deterministic() -> None:
    one = evaluate(facts(), DEFAULTS, T + 4 * D).alerts
    other = evaluate(facts(), DEFAULTS, T + 5 * D).alerts  # another instance, later
    assert [a.event_id for a in one] == [a.event_id for a in other]
    assert one[0].event_id != one[0].episode_id


def test_waiting_at_a_pickup_point_or_going_back_is_never_late() -> None:
    promised = date(2026, 3, 4)
    episode = evaluate(carrier_eta(promised), DEFAULTS, day_over(promised)).late_episode
    for status in (S.AVAILABLE_FOR_PICKUP, S.RETURNING_TO_SENDER):
        waiting = carrier_eta(promised, status=status)
        assert evaluate(waiting, DEFAULTS, day_over(promised) + H).late_episode is None
        ended = evaluate(replace(waiting, late_episode=episode), DEFAULTS, day_over(promised))
        (closing,) = [a for a in ended.alerts if a.episode_kind is K.LATE]
        assert closing.kind is K.RECOVERED and closing.detail == status.value
