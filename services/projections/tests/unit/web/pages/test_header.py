"""The header tells the truth: last carrier scan, the shopper's today, a look per concern."""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime

import pytest

from suivi_projections.domain.orders import OrderStatus
from suivi_projections.query.views import OrderView, ShipmentView, Watch
from suivi_projections.testing.fakes import at, entry, in_transit_shipment, sample_order
from suivi_projections.web.pages.build import public_order
from suivi_projections.web.pages.i18n import Translator, zone
from suivi_schemas import EstimatedDelivery, EstimateSource, ShipmentStatus, Substatus

S = ShipmentStatus


def one(shipment: ShipmentView, status: OrderStatus = OrderStatus.IN_TRANSIT) -> OrderView:
    return sample_order(status=status, shipments=(shipment,))


def t_at(now: datetime, language: str = "en", tz: str = "Europe/Paris") -> Translator:
    return Translator(language, zone(tz), now)


def test_the_time_shown_is_the_last_carrier_scan_not_the_order_update() -> None:
    silent = in_transit_shipment()  # last scan 13 May 05:12 UTC
    order = dataclasses.replace(one(silent), updated_at=at(21, 9))  # an edit 8 days later
    page = public_order(order, t_at(at(21, 10)), shared=False)
    assert page.last_scan == "Last carrier scan: Tuesday 13 May, 07:12"
    no_scan = one(dataclasses.replace(silent, last_event_at=None, timeline=()), OrderStatus.SHIPPED)
    assert public_order(no_scan, t_at(at(21, 10)), shared=False).last_scan == "No carrier scan yet"


def test_today_and_tomorrow_are_the_shoppers() -> None:
    # Saturday 6 Dec 2025, 20:00 in Los Angeles is already Sunday 04:00 in UTC.
    now = datetime(2025, 12, 7, 4, 0, tzinfo=UTC)
    window = EstimatedDelivery.on(date(2025, 12, 7), EstimateSource.CARRIER)
    moving = dataclasses.replace(
        in_transit_shipment(), last_event_at=datetime(2025, 12, 6, 18, tzinfo=UTC),
        estimated_delivery=window,
    )  # fmt: skip
    page = public_order(one(moving), t_at(now, tz="America/Los_Angeles"), shared=False)
    assert page.parcels[0].eta is not None and page.parcels[0].eta.text == "tomorrow"
    assert page.last_scan == "Last carrier scan: today, 10:00"
    in_paris = public_order(one(moving), t_at(now, "fr"), shared=False)
    assert in_paris.parcels[0].eta is not None and in_paris.parcels[0].eta.text == "aujourd'hui"


def test_arriving_today_only_when_out_for_delivery_today_in_the_shoppers_zone() -> None:
    out = entry(
        datetime(2025, 12, 6, 15, tzinfo=UTC), S.OUT_FOR_DELIVERY, Substatus.OUT_FOR_DELIVERY
    )
    van = dataclasses.replace(
        in_transit_shipment(), status=S.OUT_FOR_DELIVERY, last_event_at=out.occurred_at,
        estimated_delivery=None, timeline=(out,),
    )  # fmt: skip
    order = one(van, OrderStatus.OUT_FOR_DELIVERY)
    same_day = datetime(2025, 12, 6, 20, tzinfo=UTC)
    assert (
        public_order(order, t_at(same_day), shared=False).subline == "Your order is arriving today."
    )
    next_day = datetime(2025, 12, 7, 9, tzinfo=UTC)
    assert "arriving today" not in public_order(order, t_at(next_day), shared=False).subline


@pytest.mark.parametrize(
    ("changes", "concern", "headline"),
    [
        ({"watch": Watch.STALLED}, "stalled", "No news from the carrier for a while"),
        ({"watch": Watch.LATE}, "late", "Your parcel is running late"),
        ({"status": S.DELIVERY_ATTEMPT_FAILED}, "attempt", "The carrier couldn't deliver"),
        ({"status": S.EXCEPTION}, "exception", "There's a problem with your parcel"),
        ({"status": S.RETURNING_TO_SENDER}, "returning", "Your parcel is going back to the shop"),
        ({"status": S.RETURNED_TO_SENDER}, "returned", "Your parcel is back at the shop"),
    ],
)
def test_each_concern_has_its_own_look_and_says_what_next(
    changes: dict[str, object], concern: str, headline: str
) -> None:
    parcel = dataclasses.replace(in_transit_shipment(), **changes)  # type: ignore[arg-type]
    page = public_order(one(parcel, OrderStatus.NEEDS_ATTENTION), t_at(at(20, 9)), shared=True)
    assert (page.concern, page.tone, page.headline) == (concern, f"concern-{concern}", headline)
    assert page.next_step is not None and page.next_step.startswith("What happens next:")
    assert "shop" in page.next_step or "carrier" in page.next_step  # who to contact
    assert page.parcels[0].tone not in ("info", "warning") or concern in (
        "attempt",
        "exception",
        "late",
    )


def test_a_returned_parcel_has_a_return_stepper_not_in_transit() -> None:
    parcel = dataclasses.replace(in_transit_shipment(), status=S.RETURNED_TO_SENDER)
    page = public_order(one(parcel, OrderStatus.NEEDS_ATTENTION), t_at(at(20, 9)), shared=False)
    assert [s.label for s in page.stages] == [
        "Confirmed", "Shipped", "Returning to the shop", "Back at the shop",
    ]  # fmt: skip
    assert [s.state for s in page.stages][-1] == "current"
    assert page.parcels[0].tone == "return"


def test_one_of_three_parcels_stalled_says_one_of_your_parcels() -> None:
    stalled = dataclasses.replace(in_transit_shipment(), watch=Watch.STALLED)
    order = sample_order(
        status=OrderStatus.NEEDS_ATTENTION,
        shipments=(in_transit_shipment(), stalled, in_transit_shipment()),
    )
    page = public_order(order, t_at(at(20, 9), "fr"), shared=False)
    assert page.headline == "Pas de nouvelles de l'un de vos colis depuis un moment"
    assert page.parcels[1].tone == "stalled"


def test_carriers_by_their_own_name_with_their_tracking_page_on_the_private_page_only() -> None:
    parcel = dataclasses.replace(
        in_transit_shipment(), carrier="dhl-ecommerce", tracking_number="GM123456789"
    )
    private = public_order(one(parcel), t_at(at(20, 9)), shared=False).parcels[0]
    assert private.carrier == "DHL eCommerce"
    assert private.carrier_url == "https://webtrack.dhlecs.com/orders?trackingNumber=GM123456789"
    shared = public_order(one(parcel), t_at(at(20, 9)), shared=True).parcels[0]
    assert shared.carrier_url is None and "GM123456789" not in repr(shared)
