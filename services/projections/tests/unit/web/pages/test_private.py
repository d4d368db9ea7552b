"""The private status page: stages, timelines, time zones, languages, advice, headers."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import AsyncIterator
from datetime import date
from html import unescape

import httpx
import pytest

from suivi_projections.domain.orders import OrderStatus
from suivi_projections.query.live import LiveHub
from suivi_projections.query.views import OrderView, ShipmentView
from suivi_projections.testing.browser import asgi_client
from suivi_projections.testing.fakes import (
    PII,
    FakeReadModel,
    at,
    entry,
    in_transit_shipment,
    sample_order,
)
from suivi_projections.web.app import create_api
from suivi_projections.web.settings import ApiSettings
from suivi_schemas import EstimatedDelivery, EstimateSource, Location, ShipmentStatus, Substatus

PAGE = "/orders/st_private_token_0001"


@pytest.fixture
def fake() -> FakeReadModel:
    return FakeReadModel(sample_order())


@pytest.fixture
async def client(fake: FakeReadModel) -> AsyncIterator[httpx.AsyncClient]:
    async with asgi_client(create_api(ApiSettings(), fake, LiveHub())) as c:
        yield c


def text_of(html: str) -> str:
    """Visible text, whitespace collapsed (enough for assertions on wording and order)."""
    html = re.sub(r"<(style|script)\b.*?</\1>", " ", html, flags=re.S)
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def current_stage(html: str) -> str:
    match = re.search(r'<li class="current" aria-current="step">.*?class="label">([^<]+)<', html)
    assert match, "no current stage"
    return match.group(1)


def with_shipment(order: OrderView, **changes: object) -> OrderView:
    shipment = dataclasses.replace(in_transit_shipment(), **changes)  # type: ignore[arg-type]
    return dataclasses.replace(order, shipments=(shipment,), status=OrderStatus.NEEDS_ATTENTION)


async def test_private_page_shows_progress_parcels_and_personal_details(
    client: httpx.AsyncClient,
) -> None:
    response = await client.get(PAGE)
    assert response.status_code == 200
    text = text_of(response.text)
    assert "Partially delivered" in text
    # Least advanced parcel is in transit: that is the current stage.
    assert current_stage(response.text) == "In transit"
    assert text.index("Confirmed") < text.index("Shipped") < text.index("Out for delivery")
    assert response.text.count('class="done"') == 2
    assert "Parcel 1 of 2" in text and "Parcel 2 of 2" in text
    assert "Colissimo · 6A12345678901" in text
    assert "Expected delivery Thursday 15 May 2025 Predicted from 42 similar shipments" in text
    assert "Delivered Wednesday 14 May 2025, 14:31" in text  # 12:31 UTC in Paris
    assert "Not shipped yet" in text and "Gift card" in text
    for value in (PII["name"], PII["email"], PII["phone"], PII["line1"]):
        assert value in text
    assert "/s/sh_shared_token_0001" in response.text  # the share link


async def test_timeline_is_newest_first_in_the_order_time_zone(
    client: httpx.AsyncClient, fake: FakeReadModel
) -> None:
    text = text_of((await client.get(PAGE)).text)
    # 05:12 UTC → 07:12 in Paris (summer time); days headed in local time.
    first = text.index("Tuesday 13 May 2025 07:12 Arrived at a sorting centre")
    second = text.index("Monday 12 May 2025 21:40 Left a sorting centre")
    assert first < second < text.index("18:05 Collected by the carrier")
    assert "69007 Lyon, FR" in text and "Arrivé sur le site de distribution" in text

    fake.put(dataclasses.replace(sample_order(), timezone="America/New_York"))
    text = text_of((await client.get(PAGE)).text)
    assert "Tuesday 13 May 2025 01:12 Arrived at a sorting centre" in text
    assert "Monday 12 May 2025 15:40 Left a sorting centre" in text


async def test_a_scrambled_timeline_is_still_shown_newest_first(
    client: httpx.AsyncClient, fake: FakeReadModel
) -> None:
    shipment = in_transit_shipment()
    fake.put(with_shipment(sample_order(), timeline=tuple(reversed(shipment.timeline))))
    text = text_of((await client.get(PAGE)).text)
    assert text.index("Arrived at a sorting centre") < text.index("Shipping label created")


async def test_french_from_the_order_then_accept_language_then_override(
    client: httpx.AsyncClient, fake: FakeReadModel
) -> None:
    fake.put(dataclasses.replace(sample_order(), locale="fr"))
    french = text_of((await client.get(PAGE, headers={"accept-language": "en"})).text)
    assert "Partiellement livrée" in french
    assert "Livraison prévue jeudi 15 mai 2025 Prédit d'après 42 envois similaires" in french
    assert "mardi 13 mai 2025 07:12 Arrivé au centre de tri" in french
    assert "Livré mercredi 14 mai 2025 à 14:31" in french
    english = text_of((await client.get(PAGE + "?lang=en")).text)
    assert "Partially delivered" in english
    # The shopper's choice is remembered (the picker's cookie) over the order's language.
    again = text_of((await client.get(PAGE, headers={"accept-language": "fr"})).text)
    assert "Partially delivered" in again
    client.cookies.clear()

    fake.put(dataclasses.replace(sample_order(), locale="de"))
    german = text_of((await client.get(PAGE, headers={"accept-language": "fr"})).text)
    assert "Teilweise zugestellt" in german
    assert "Zugestellt Mittwoch, 14. Mai 2025 um 14:31 Uhr" in german
    fake.put(dataclasses.replace(sample_order(), locale="pt-BR"))
    by_browser = await client.get(PAGE, headers={"accept-language": "pt-PT,it;q=0.8"})
    assert '<html lang="it">' in by_browser.text


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        (
            {
                "status": ShipmentStatus.DELIVERY_ATTEMPT_FAILED,
                "substatus": Substatus.RECIPIENT_UNAVAILABLE,
            },
            "Nobody was there to receive the parcel",
        ),
        (
            {
                "status": ShipmentStatus.AVAILABLE_FOR_PICKUP,
                "substatus": Substatus.ARRIVED_AT_PICKUP_POINT,
                "last_location": Location(city="Lyon", country="FR"),
            },
            "Collect it from the pickup point (Lyon) with an ID and your tracking number",
        ),
        (
            {
                "status": ShipmentStatus.EXCEPTION,
                "substatus": Substatus.DUTIES_DUE,
                "action_required": True,
            },
            "Import duties or fees must be paid before delivery",
        ),
        (
            {"status": ShipmentStatus.EXCEPTION, "substatus": Substatus.OTHER},
            "There's nothing you need to do for now",
        ),
        (
            {"status": ShipmentStatus.RETURNING_TO_SENDER, "substatus": Substatus.RETURN_TO_SENDER},
            "The parcel is being returned to the shop. Contact the shop",
        ),
        ({"status": ShipmentStatus.LOST, "substatus": Substatus.LOST}, "replacement or a refund"),
    ],
)
async def test_plain_advice_for_problems(
    client: httpx.AsyncClient, fake: FakeReadModel, changes: dict[str, object], expected: str
) -> None:
    fake.put(with_shipment(sample_order(), **changes))
    html = (await client.get(PAGE)).text
    assert 'role="note"' in html
    assert expected in text_of(html)
    # The headline names the trouble and says what happens next (no generic "Needs attention").
    assert "What happens next:" in text_of(html)
    assert "Needs attention" not in text_of(html)


async def test_eta_sources_are_named(client: httpx.AsyncClient, fake: FakeReadModel) -> None:
    carrier = EstimatedDelivery(
        earliest=date(2025, 5, 15), latest=date(2025, 5, 16), source=EstimateSource.CARRIER
    )
    fake.put(with_shipment(sample_order(), estimated_delivery=carrier))
    text = text_of((await client.get(PAGE)).text)
    assert "between Thursday 15 May 2025 and Friday 16 May 2025 Carrier estimate" in text


async def test_an_order_not_shipped_yet(client: httpx.AsyncClient, fake: FakeReadModel) -> None:
    fake.put(dataclasses.replace(sample_order(), shipments=(), status=OrderStatus.CONFIRMED))
    html = (await client.get(PAGE)).text
    assert current_stage(html) == "Confirmed"
    assert "preparing it" in text_of(html) and "Linen shirt, sage" in text_of(html)
    assert "Not shipped yet" not in text_of(html)


async def test_a_parcel_without_carrier_news(
    client: httpx.AsyncClient, fake: FakeReadModel
) -> None:
    empty: ShipmentView = dataclasses.replace(
        in_transit_shipment(), status=None, substatus=None, timeline=(), last_event_at=None,
        estimated_delivery=None,
    )  # fmt: skip
    fake.put(dataclasses.replace(sample_order(), shipments=(empty,), status=OrderStatus.SHIPPED))
    html = (await client.get(PAGE)).text
    assert current_stage(html) == "Shipped"
    assert "No news from the carrier yet" in text_of(html)


async def test_fragment_is_the_live_part_only(client: httpx.AsyncClient) -> None:
    fragment = await client.get(PAGE + "/fragment")
    assert fragment.status_code == 200
    assert "<html" not in fragment.text and "<script" not in fragment.text
    assert "Partially delivered" in fragment.text


async def test_unknown_or_malformed_tokens_get_the_same_404_page(client: httpx.AsyncClient) -> None:
    unknown = await client.get("/orders/st_no_such_token_0001")
    malformed = await client.get("/orders/a'b")
    assert unknown.status_code == malformed.status_code == 404
    assert "This link doesn't work" in text_of(unknown.text)
    assert (await client.get("/v1/orders/st_no_such_token_0001")).status_code == 404
    assert (await client.get("/orders/st_no_such_token_0001/events")).status_code == 404


async def test_json_status(client: httpx.AsyncClient) -> None:
    response = await client.get("/v1/orders/st_private_token_0001")
    assert response.headers["cache-control"] == "no-store"
    body = response.json()
    assert body["status"] == "partially_delivered"
    assert body["shipments"][0]["timeline"][0]["occurred_at"] == "2025-05-13T05:12:00Z"


async def test_pages_are_private_self_contained_and_locked_down(client: httpx.AsyncClient) -> None:
    response = await client.get(PAGE)
    headers = response.headers
    assert headers["referrer-policy"] == "no-referrer"
    assert headers["cache-control"] == "no-store"
    assert "noindex" in headers["x-robots-tag"]
    csp = headers["content-security-policy"]
    nonce = re.search(r"'nonce-([^']+)'", csp)
    assert nonce and f'<script nonce="{nonce.group(1)}">' in response.text
    assert "default-src 'none'" in csp and "unsafe-inline" not in csp
    # No external asset: no src/href to another origin, no <link> or <img> from elsewhere.
    assert not re.search(r'src="(https?:)?//', response.text)
    # Only links the shopper follows leave (the carrier's page), with neither opener nor referrer.
    for tag in re.findall(r'<[^>]*href="(?:https?:)?//[^>]*>', response.text):
        assert tag.startswith("<a ") and 'rel="noopener noreferrer"' in tag, tag
    assert re.findall(r"<link[^>]*>", response.text) == ['<link rel="icon" href="data:,">']
    assert "@import" not in response.text and "url(" not in response.text


def test_sample_data_sanity() -> None:
    assert entry(at(1, 1), ShipmentStatus.IN_TRANSIT).location is None
