"""A status email through the whole notifier names what the carrier said, when, where, and what
the parcel holds (the order's line items shipped in it), in the order's language."""

from __future__ import annotations

from datetime import time, timedelta
from zoneinfo import ZoneInfo

from suivi_notifier.testing.events import order, status
from suivi_notifier.testing.harness import Harness
from suivi_notifier.testing.smtp_peer import SmtpPeer
from suivi_schemas import Location
from suivi_schemas.orders import LineItem, ShipmentItem


async def test_notifier_email_names_date_place_and_items(h: Harness, smtp_peer: SmtpPeer) -> None:
    snapshot = order("2301", locale="de-DE")
    parcel = snapshot.shipments[0].model_copy(
        update={"items": (ShipmentItem(line_item_id="li-1", quantity=2),)}
    )
    snapshot = snapshot.model_copy(
        update={
            "shipments": (parcel,),
            "line_items": (
                LineItem(line_item_id="li-1", title="Steingutschale", quantity=2),
                LineItem(line_item_id="li-2", title="Teekanne", quantity=1),  # not shipped yet
            ),
        }
    )
    # "today" in the order's zone (Paris): not in the first minutes after its midnight, when
    # five minutes ago was yesterday.
    if h.clock.now.astimezone(ZoneInfo("Europe/Paris")).time() < time(0, 30):
        h.clock.advance(minutes=30)
    scan = h.clock.now - timedelta(minutes=5)
    event = status("in_transit", scan).model_copy(
        update={"location": Location(city="Lyon", country="FR")}
    )
    await h.feed(snapshot, event)
    await h.settle()
    [mail] = await smtp_peer.wait_for(1)
    assert mail["Subject"] == "Ihre Bestellung 2301 wurde versendet"
    text = mail.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert "Letzte Meldung des Versanddienstleisters: heute um" in text
    assert "Lyon, FR" in text
    assert "In diesem Paket:" in text and "- 2 \u00d7 Steingutschale" in text
    assert "Teekanne" not in text  # not in this parcel
