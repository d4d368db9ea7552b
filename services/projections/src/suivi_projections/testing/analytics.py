"""Test support for the analytics side: a sample `MerchantAnalytics` and a fake source."""

from __future__ import annotations

import dataclasses
from datetime import date

from suivi_projections.query.analytics import (
    CarrierRates,
    CarrierTimes,
    DailyPoint,
    DeliveryTimes,
    MerchantAnalytics,
    Rates,
    RegionTimes,
    StallPlace,
    StallStatus,
)

SAMPLE = MerchantAnalytics(
    merchant_id="?",
    first_day=date(2025, 3, 1),
    last_day=date(2025, 3, 3),
    deliveries=DeliveryTimes(7, 3.0, 5.4, 5, 2, 3, 0.6),
    by_carrier=(
        CarrierTimes(4, 2.5, 3.7, 2, 2, 1, 0.5, carrier="ups"),
        CarrierTimes(1, 6.0, 6.0, 1, 0, 1, 1.0, carrier="<b>colissimo</b>"),
    ),
    by_region=(
        RegionTimes(5, 4.0, 5.6, 3, 2, 3, 1.0, country="FR", region=None),
        RegionTimes(3, 3.0, 3.8, 1, 2, 1, 1.0, country="FR", region="Île-de-France & co"),
    ),
    rates=Rates(8, 2, 3, 0.25, 0.375),
    rates_by_carrier=(CarrierRates(3, 2, 1, 0.6667, 0.3333, carrier="dhl"),),
    stalled_episodes=4,
    stall_statuses=(StallStatus("in_transit", 3),),
    stall_places=(StallPlace("Leipzig", "DE", 2), StallPlace(None, None, 1)),
    daily=(
        DailyPoint(date(2025, 3, 1), 1, 3.0),
        DailyPoint(date(2025, 3, 2), 0, None),
        DailyPoint(date(2025, 3, 3), 2, 2.5),
    ),
)


class FakeAnalytics:
    def __init__(self) -> None:
        self.calls: list[tuple[str, date, date]] = []

    async def merchant_analytics(
        self, merchant_id: str, first_day: date, last_day: date
    ) -> MerchantAnalytics:
        self.calls.append((merchant_id, first_day, last_day))
        return dataclasses.replace(
            SAMPLE, merchant_id=merchant_id, first_day=first_day, last_day=last_day
        )
