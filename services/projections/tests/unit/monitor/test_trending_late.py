"""The trending-late rule (issue 21): the earlier of the carrier's and the merchant's days."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from suivi_projections.domain.eta_model import Prediction
from suivi_projections.domain.watch import day_over
from suivi_projections.monitor.eta_predict import Current, _recheck, trending_late

MON = datetime(2025, 3, 3, 10, tzinfo=UTC)  # Monday 3 March
THU, FRI, SAT = date(2025, 3, 6), date(2025, 3, 7), date(2025, 3, 8)


def likely(day: date) -> Prediction:
    return Prediction(day - timedelta(days=1), day, day + timedelta(days=1), 0.8, 40, "lane", 0.8)


@pytest.mark.parametrize(
    ("predicted", "carrier", "merchant", "flagged"),
    [
        (FRI, SAT, THU, True),  # the merchant promised earlier than the carrier: it counts
        (FRI, THU, SAT, True),  # the carrier's date is the earlier one
        (FRI, SAT, FRI, False),  # on the merchant's day: not late
        (FRI, None, THU, True),  # only the merchant promised
        (FRI, None, SAT, False),
        (FRI, THU, None, True),  # only the carrier (as before)
        (FRI, None, None, False),  # nothing promised
    ],
)
def test_earlier_of_the_two_days(
    predicted: date, carrier: date | None, merchant: date | None, flagged: bool
) -> None:
    assert trending_late(likely(predicted), carrier, MON, merchant) is flagged


def test_no_prediction_is_not_trending_until_the_merchant_day_is_over() -> None:
    assert not trending_late(None, THU, MON, THU)
    assert not trending_late(None, None, day_over(THU) - timedelta(seconds=1), THU)
    assert trending_late(None, None, day_over(THU), THU)


def test_past_carrier_date_is_the_late_watch_but_a_missed_merchant_day_stays_flagged() -> None:
    after = day_over(THU) + timedelta(hours=1)
    assert not trending_late(likely(SAT), THU, after)  # the late watch has it
    assert trending_late(likely(SAT), THU, after, THU)  # nothing else watches the promise


def test_judged_again_when_the_merchant_day_ends() -> None:
    key = ("ups", "1Z1", 1)
    assert _recheck(Current(key, likely(FRI), None, False, None, SAT), MON) == day_over(SAT)
    assert _recheck(Current(key, likely(FRI), None, False, None, None), MON) is None
    assert _recheck(Current(key, None, None, True, None, SAT), day_over(SAT)) is None
