"""Help where the shopper looks: each status explained, what to do when late, silent, at a
pickup point or back at the shop, in the shopper's language, linked from the status page."""

from __future__ import annotations

import dataclasses
import re

from suivi_projections.domain.orders import OrderStatus
from suivi_projections.query.live import LiveHub
from suivi_projections.query.views import Watch
from suivi_projections.testing.browser import asgi_client
from suivi_projections.testing.fakes import FakeReadModel, in_transit_shipment, sample_order
from suivi_projections.web.app import create_api
from suivi_projections.web.pages.render import HELP_STATUSES, HELP_TOPICS
from suivi_projections.web.settings import ApiSettings


async def test_the_help_page_explains_every_status_and_topic_in_each_language() -> None:
    async with asgi_client(create_api(ApiSettings(), FakeReadModel(), LiveHub())) as client:
        en = (await client.get("/help")).text
        fr = (await client.get("/help", headers={"accept-language": "fr-CH, en;q=0.5"})).text
    for topic in (*HELP_TOPICS, "statuses", "keep"):
        assert f'id="{topic}"' in en and f'id="{topic}"' in fr
    assert en.count("<dt>") == len(HELP_STATUSES) == fr.count("<dt>")
    assert "My parcel is late" in en and "Mon colis est en retard" in fr
    assert "order number" in en and "numéro de commande" in fr  # what to keep, who to contact
    assert "help." not in re.sub(r"<[^>]+>", "", fr)  # no key left untranslated


async def test_a_silent_parcels_page_links_to_the_matching_help() -> None:
    stalled = dataclasses.replace(in_transit_shipment(), watch=Watch.STALLED)
    order = sample_order(status=OrderStatus.IN_TRANSIT, shipments=(stalled,), locale="fr")
    async with asgi_client(create_api(ApiSettings(), FakeReadModel(order), LiveHub())) as client:
        page = (await client.get("/orders/st_private_token_0001")).text
        shared = (await client.get("/s/sh_shared_token_0001")).text
    assert 'href="/help?lang=fr#stalled"' in page and 'href="/help?lang=fr#stalled"' in shared
    assert "Aide : ce que cela veut dire et que faire" in page
