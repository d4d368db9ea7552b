"""Predictions that move (issue 21): calendars with holidays, shrinkage, confidence."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from suivi_projections.domain.eta_calendar import add_days, days_between, is_delivery_day
from suivi_projections.domain.eta_journey import Journey, Scan, Situation
from suivi_projections.domain.eta_model import EtaModel
from suivi_schemas import Reason, ShipmentStatus

S = ShipmentStatus
MONDAY = datetime(2024, 6, 3, 10, tzinfo=UTC)


def test_public_holidays_of_the_destination_are_no_delivery_days() -> None:
    assert not is_delivery_day("laposte", "FR", date(2024, 7, 14))  # a Sunday anyway
    assert not is_delivery_day("ups", "FR", date(2024, 8, 15))  # Assumption, a Thursday
    assert is_delivery_day("ups", "DE", date(2024, 8, 15))
    assert not is_delivery_day("ups", "DE", date(2024, 10, 3))  # German Unity Day
    assert is_delivery_day("usps", "US", date(2024, 6, 8))  # USPS delivers on Saturdays
    assert not is_delivery_day("ups", "US", date(2024, 6, 8))
    assert add_days("ups", "FR", date(2024, 8, 14), 1) == date(2024, 8, 16)
    assert days_between("ups", "FR", date(2024, 8, 14), date(2024, 8, 16)) == 1
    assert add_days("ups", None, date(2024, 8, 14), 1) == date(2024, 8, 15)


def situation(at: datetime, stage: str = "pickup", **kw: object) -> Situation:
    fields: dict[str, object] = {
        "carrier": "ups",
        "service": "ground",
        "origin": "FR",
        "destination": "FR",
        "stage": stage,
        "at": at,
        "elapsed": 0,
    }
    fields.update(kw)
    return Situation(**fields)  # type: ignore[arg-type]


def test_a_specific_lane_is_shrunk_toward_the_carrier_not_cut() -> None:
    model = EtaModel()
    for i in range(200):  # the carrier: 1 day on its other lanes
        at = MONDAY - timedelta(days=60) + timedelta(hours=i)
        model.learn(situation(at, destination="DE", origin="DE"), 1, at + timedelta(days=1))
    few = EtaModel(tables={k: list(v) for k, v in model.tables.items()}, epoch=model.epoch)
    for model_, n in ((few, 3), (model, 60)):
        for i in range(n):  # this lane: 4 days
            at = MONDAY - timedelta(days=30) + timedelta(hours=i)
            model_.learn(situation(at), 4, at + timedelta(days=6))
    seen_thrice, seen_often = few.predict(situation(MONDAY)), model.predict(situation(MONDAY))
    assert seen_thrice is not None and seen_often is not None
    assert seen_thrice.likeliest == date(2024, 6, 4)  # still the carrier's day, mostly
    assert seen_often.likeliest == date(2024, 6, 7)  # the lane's own
    assert seen_often.confidence > seen_thrice.confidence
    assert seen_often.level == seen_thrice.level == "elapsed"


def test_the_carriers_date_is_corrected_by_its_usual_offset() -> None:
    model = EtaModel()
    for i in range(100):  # this carrier is always one delivery day after its own date
        at = MONDAY - timedelta(days=50) + timedelta(hours=3 * i)
        model.learn(situation(at, promised=2, origin="DE", destination="DE"), 3, at)
    p = model.predict(situation(MONDAY, promised=5))  # another lane, a 5-day promise
    assert p is not None and p.likeliest == date(2024, 6, 11)  # 6 delivery days later


def test_no_history_no_prediction_and_the_model_round_trips() -> None:
    assert EtaModel().predict(situation(MONDAY)) is None
    model = EtaModel()
    model.learn(situation(MONDAY - timedelta(days=9)), 2, MONDAY - timedelta(days=7))
    again = EtaModel.from_json(model.to_json())
    assert again.predict(situation(MONDAY)) == model.predict(situation(MONDAY))


def test_a_journey_reads_its_stages_up_to_the_first_attempt() -> None:
    scans = (
        Scan(MONDAY - timedelta(days=1), S.INFO_RECEIVED),
        Scan(MONDAY, S.IN_TRANSIT, "US"),
        Scan(MONDAY + timedelta(days=3), S.IN_TRANSIT, "FR"),
        Scan(MONDAY + timedelta(days=3, hours=1), S.EXCEPTION, "FR", Reason.CUSTOMS),
        Scan(MONDAY + timedelta(days=6), S.OUT_FOR_DELIVERY, "FR"),
        Scan(MONDAY + timedelta(days=6, hours=5), S.DELIVERY_ATTEMPT_FAILED, "FR"),
        Scan(MONDAY + timedelta(days=7), S.DELIVERED, "FR"),
    )
    journey = Journey("ups", None, "US", "FR", scans, scans[5].at,
                      ((MONDAY, date(2024, 6, 7)),))  # fmt: skip
    seen = list(journey.situations())
    assert [s.stage for s in seen] == ["pickup", "arrived", "customs", "out_for_delivery"]
    assert [s.promised for s in seen] == [4, 1, 1, -1]
    assert [journey.remaining(s) for s in seen] == [4, 1, 1, 0]  # attempted on a Sunday
    assert seen[-1].elapsed == 4
