"""Trending late names the day at risk (issue 21 point 3): the shop's promised day when it is
the earlier one the prediction passes, in the shopper's words and zone; else the carrier's."""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime

import pytest

from suivi_projections.query.views import EstimateStory, OrderView
from suivi_projections.testing.fakes import in_transit_shipment, sample_order
from suivi_projections.web.pages.build import public_order
from suivi_projections.web.pages.i18n import Translator, zone
from suivi_schemas import EstimatedDelivery, EstimateSource

# Saturday 5 Dec 2026, 23:30 UTC: already Sunday 6 Dec in Paris.
NOW = datetime(2026, 12, 5, 23, 30, tzinfo=UTC)
TUESDAY = date(2026, 12, 8)
THURSDAY = date(2026, 12, 10)


def order(carrier_day: date | None, promise: date | None) -> OrderView:
    """None: no carrier date, the window shown is our pickup prediction's."""
    shown = (
        EstimatedDelivery.on(carrier_day, EstimateSource.CARRIER)
        if carrier_day
        else EstimatedDelivery(earliest=TUESDAY, latest=THURSDAY, source=EstimateSource.PREDICTED)
    )
    story = EstimateStory(likeliest=date(2026, 12, 11), confidence=0.7, trending_late=True)
    parcel = dataclasses.replace(
        in_transit_shipment(), last_event_at=NOW, estimated_delivery=shown, estimate_story=story
    )
    return dataclasses.replace(sample_order(shipments=(parcel,)), promised_delivery_date=promise)


def note(o: OrderView, language: str = "en") -> str | None:
    page = public_order(o, Translator(language, zone("Europe/Paris"), NOW), shared=True)
    eta = page.parcels[0].eta
    assert eta is not None
    return eta.note


def test_the_shops_earlier_promise_is_the_day_at_risk() -> None:
    words = "Running later than the shop's promised date (Tuesday 8 December)"
    assert note(order(THURSDAY, TUESDAY)) == words
    assert note(order(None, TUESDAY)) == words  # no carrier date: only the promise was judged
    assert note(order(THURSDAY, TUESDAY), "fr") == (
        "En retard sur la date promise par la boutique (mardi 8 décembre)"
    )


@pytest.mark.parametrize("promise", [None, THURSDAY, TUESDAY])
def test_the_carriers_date_when_it_is_the_earlier_one(promise: date | None) -> None:
    assert note(order(TUESDAY, promise)) == "Running later than the carrier's date"
