"""A late parcel's advice names whose day was missed: the shop's promised day when the monitor
judged that one (earlier than the carrier's date, or no carrier date), else the carrier's."""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime

import pytest

from suivi_projections.query.views import OrderView, Watch
from suivi_projections.testing.fakes import in_transit_shipment, sample_order
from suivi_projections.web.pages.build import public_order
from suivi_projections.web.pages.i18n import Translator, zone
from suivi_schemas import EstimatedDelivery, EstimateSource

NOW = datetime(2026, 12, 11, 9, 0, tzinfo=UTC)  # Friday
TUESDAY = date(2026, 12, 8)
THURSDAY = date(2026, 12, 10)
CARRIERS = "The parcel wasn't delivered by the date the carrier gave."


def order(carrier_day: date | None, promise: date | None) -> OrderView:
    """A late parcel; None: no carrier date (the window shown is our prediction's)."""
    shown = (
        EstimatedDelivery.on(carrier_day, EstimateSource.CARRIER)
        if carrier_day
        else EstimatedDelivery(earliest=THURSDAY, latest=THURSDAY, source=EstimateSource.PREDICTED)
    )
    parcel = dataclasses.replace(
        in_transit_shipment(),
        last_event_at=datetime(2026, 12, 7, 15, 0, tzinfo=UTC),
        estimated_delivery=shown,
        watch=Watch.LATE,
    )
    return dataclasses.replace(sample_order(shipments=(parcel,)), promised_delivery_date=promise)


def advice(o: OrderView, language: str = "en") -> tuple[str, str]:
    page = public_order(o, Translator(language, zone("Europe/Paris"), NOW), shared=True)
    found = page.parcels[0].advice
    assert found is not None
    return found.title, found.text


def test_late_by_the_shops_earlier_promise_names_that_day() -> None:
    title, text = advice(order(THURSDAY, TUESDAY))
    assert title == "Running late"
    assert text.startswith("The parcel wasn't delivered by Tuesday 8 December, the date the shop")
    assert advice(order(None, TUESDAY))[1] == text  # no carrier date: only the promise judged
    assert "mardi 8 décembre, date promise par la boutique" in advice(order(None, TUESDAY), "fr")[1]


@pytest.mark.parametrize("promise", [None, THURSDAY, date(2026, 12, 12)])
def test_late_by_the_carriers_date_when_it_is_the_earlier_one(promise: date | None) -> None:
    assert advice(order(TUESDAY, promise))[1].startswith(CARRIERS)
