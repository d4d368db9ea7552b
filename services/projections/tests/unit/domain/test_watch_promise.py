"""The late watch and the merchant's promised day (issue 21): the earlier of it and the
carrier's date is the day a parcel is late after; the alert says whose day was missed."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

from suivi_projections.domain.watch import Facts, Thresholds, day_over, episode_id, evaluate
from suivi_schemas import AlertKind, EstimateSource, PromiseSource, ShipmentStatus

S = ShipmentStatus
K = AlertKind
T = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)  # a Monday
H = timedelta(hours=1)
SHOP, CARRIER = date(2026, 3, 4), date(2026, 3, 6)
KEY = ("ups", "1Z123", 1)


def facts(merchant: date | None = SHOP, carrier: date | None = CARRIER, **changes: object) -> Facts:
    base = Facts(*KEY, S.IN_TRANSIT, uuid.UUID(int=1), T, origin="FR", destination="FR")
    source = EstimateSource.CARRIER if carrier is not None else None
    changed = replace(base, eta_latest=carrier, eta_source=source, merchant_promised=merchant)
    return replace(changed, **changes)  # type: ignore[arg-type]


def late_alerts(f: Facts, now: datetime) -> list[tuple[AlertKind, AlertKind, str]]:
    verdict = evaluate(f, Thresholds(), now)
    return [(a.kind, a.episode_kind, a.detail) for a in verdict.alerts if a.episode_kind is K.LATE]


def test_late_once_the_shops_earlier_day_is_over_everywhere_and_once_only() -> None:
    quiet = facts(last_event_at=day_over(SHOP) - H)  # not stalled meanwhile
    before = evaluate(quiet, Thresholds(), day_over(SHOP) - timedelta(seconds=1))
    assert before.alerts == () and before.late_episode is None
    assert before.due_at == day_over(SHOP)  # judged again then, scan or not
    late = evaluate(quiet, Thresholds(), day_over(SHOP))
    (alert,) = late.alerts
    assert (alert.kind, alert.episode_kind) == (K.LATE, K.LATE)
    assert (alert.promise_source, alert.promised_date) == (PromiseSource.MERCHANT, SHOP)
    assert alert.expected_by == day_over(SHOP)
    assert alert.detail == "not delivered by the shop's promised day of 2026-03-04"
    assert late.late_episode == alert.episode_id
    again = replace(quiet, late_episode=late.late_episode)
    # Once the carrier's day is over too, it is the same episode: nothing new to say.
    assert late_alerts(again, day_over(SHOP)) == late_alerts(again, day_over(CARRIER)) == []


def test_the_carriers_earlier_or_equal_day_keeps_its_alert_and_episode_ids() -> None:
    carrier_only = evaluate(facts(None), Thresholds(), day_over(CARRIER)).alerts
    for merchant in (CARRIER, CARRIER + timedelta(days=2)):
        (alert,) = [
            a for a in evaluate(facts(merchant), Thresholds(), day_over(CARRIER)).alerts
            if a.kind is K.LATE
        ]  # fmt: skip
        assert alert.event_id == next(a.event_id for a in carrier_only if a.kind is K.LATE)
        assert alert.episode_id == episode_id(K.LATE, KEY, CARRIER.isoformat())
        assert (alert.promise_source, alert.promised_date) == (PromiseSource.CARRIER, CARRIER)
        assert alert.detail == "not delivered by the carrier's estimate of 2026-03-06"


def test_the_shops_day_alone_makes_a_parcel_late_but_a_prediction_never() -> None:
    alone = late_alerts(facts(carrier=None), day_over(SHOP))
    assert [k for k, _, _ in alone] == [K.LATE]
    predicted = facts(carrier=None, eta_latest=SHOP - timedelta(days=1),
                      eta_source=EstimateSource.PREDICTED)  # fmt: skip
    assert [k for k, _, _ in late_alerts(predicted, day_over(SHOP))] == [K.LATE]
    assert late_alerts(replace(predicted, merchant_promised=None), day_over(CARRIER)) == []


def test_episodes_differ_by_whose_day_it_was() -> None:
    shop = evaluate(facts(SHOP, None), Thresholds(), day_over(SHOP)).late_episode
    carrier = evaluate(facts(None, SHOP), Thresholds(), day_over(SHOP)).late_episode
    assert None not in (shop, carrier) and shop != carrier


def test_recovered_when_the_promise_moves_later_or_the_parcel_is_delivered() -> None:
    episode = evaluate(facts(), Thresholds(), day_over(SHOP)).late_episode
    now = day_over(SHOP) + H
    later = facts(date(2026, 3, 9), carrier=None, late_episode=episode)
    assert late_alerts(later, now) == [
        (K.RECOVERED, K.LATE, "new promised day 2026-03-09 (the shop's)")
    ]
    # Moved past the carrier's day: the carrier's is the one now, still ahead.
    assert late_alerts(facts(date(2026, 3, 9), late_episode=episode), now) == [
        (K.RECOVERED, K.LATE, "new estimate 2026-03-06")
    ]
    assert late_alerts(facts(None, None, late_episode=episode), now) == [
        (K.RECOVERED, K.LATE, "estimate withdrawn")  # the order cancelled, no carrier date
    ]
    delivered = facts(status=S.DELIVERED, late_episode=episode)
    assert late_alerts(delivered, now) == [(K.RECOVERED, K.LATE, "delivered")]
    # A later promise whose day is over too: still late, the same episode.
    past = facts(date(2026, 3, 5), carrier=None, late_episode=episode)
    verdict = evaluate(past, Thresholds(), day_over(date(2026, 3, 5)))
    assert verdict.late_episode == episode and late_alerts(past, day_over(CARRIER)) == []


def test_waiting_at_a_pickup_point_is_never_late_for_the_shop_either() -> None:
    waiting = facts(status=S.AVAILABLE_FOR_PICKUP)
    assert late_alerts(waiting, day_over(SHOP) + H) == []
