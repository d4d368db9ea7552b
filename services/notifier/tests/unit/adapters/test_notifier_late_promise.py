"""A parcel late on the shop's own promised day (issue 21) says so, in each language: the
shopper's message names the day the shop promised, the merchant's digest its own promise; a
late on the carrier's date names the day the carrier gave (not the end of it everywhere)."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime

import pytest

from suivi_notifier.adapters.render import DigestContext, DigestLine, MessageContext, Renderer
from suivi_notifier.domain.alerts import alert_trigger
from suivi_schemas import PromiseSource

SCAN = datetime(2026, 12, 1, 13, 5, tzinfo=UTC)
PROMISED = date(2026, 12, 8)
OVER = datetime(2026, 12, 9, 12, tzinfo=UTC)  # the 8th over everywhere: the 9th in Europe
# The 8th of December as each language writes it (a year may follow).
EIGHTH = {"en": "8 December", "fr": "8 décembre", "de": "8. Dezember",
          "es": "8 de diciembre", "it": "8 dicembre", "nl": "8 december"}  # fmt: skip


def _late(lang: str, source: PromiseSource | None, day: date | None = PROMISED) -> MessageContext:
    return MessageContext(
        trigger=alert_trigger("late", uuid.UUID(int=1)), locale=lang, merchant_id="atelier",
        merchant_name="Atelier Comtois", order_number="1042", carrier="colissimo",
        tracking_number="6A12345678901", status_url="https://track.example/orders/T",
        unsubscribe_url="https://n.example/u/U", timezone="Europe/Paris", last_event_at=SCAN,
        expected_by=OVER, promise_source=source, promised_date=day,
    )  # fmt: skip


@pytest.mark.parametrize("lang", ["en", "fr", "de", "es", "it", "nl"])
def test_the_shops_promise_in_each_language(lang: str) -> None:
    r = Renderer()
    shop = r.email(_late(lang, PromiseSource.MERCHANT))
    carrier = r.email(_late(lang, PromiseSource.CARRIER))
    assert "1042" in shop.subject and shop.lang == lang
    for body in (shop.text, shop.html):
        assert EIGHTH[lang] in body and "Atelier Comtois" in body and "{" not in body
    assert shop.text != carrier.text  # whose day it was, in words
    assert EIGHTH[lang] in carrier.text and "Colissimo" in carrier.text
    push = r.push(_late(lang, PromiseSource.MERCHANT))
    assert EIGHTH[lang] in push.body and "Atelier Comtois" in push.body


def test_english_words() -> None:
    r = Renderer()
    shop = r.push(_late("en", PromiseSource.MERCHANT))
    assert shop.title == "Order 1042 is running late"
    assert shop.body.startswith("Your parcel has not arrived by 8 December")  # (a year maybe)
    assert ", the date Atelier Comtois promised. We're keeping an eye on it." in shop.body
    carrier = r.push(_late("en", PromiseSource.CARRIER)).body
    assert carrier.startswith("Your parcel is later than Colissimo's estimate of 8 December")
    # An alert from before the fields existed: the end of the day, as before.
    older = r.push(_late("en", None, None)).body
    assert older.startswith("Your parcel is later than Colissimo's estimate of 9\u00a0Dec.")


@pytest.mark.parametrize("lang", ["en", "fr", "de", "es", "it", "nl"])
def test_the_merchants_digest_names_its_own_promise(lang: str) -> None:
    def line(source: PromiseSource | None) -> DigestLine:
        return DigestLine(("1042",), "colissimo", "6A12345678901", "late", "in_transit", SCAN,
                          OVER, OVER, source, PROMISED)  # fmt: skip

    shop, carrier = (
        Renderer().digest(DigestContext("Atelier", lang, "Europe/Paris", 60, (line(s),))).text
        for s in (PromiseSource.MERCHANT, PromiseSource.CARRIER)
    )
    assert EIGHTH[lang] in shop and EIGHTH[lang] not in carrier and "{" not in shop
    if lang == "en":
        assert "past the date you promised (8 December" in shop
