"""Every message in every language: complete catalogues, and each email template rendered in
en, fr, de, es, it and nl names the date, the place and the items, in the shop's colours."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from pathlib import Path

import pytest

import suivi_notifier
from suivi_infra.i18n_check import problems
from suivi_notifier.adapters.i18n import CATALOGUES, LANGUAGES
from suivi_notifier.adapters.render import (
    DigestContext,
    DigestLine,
    MailBrand,
    MessageContext,
    Renderer,
    mail_brand,
)
from suivi_notifier.domain.alerts import alert_trigger
from suivi_schemas.contrast import contrast_ratio
from suivi_schemas.merchants import Branding

EPISODE = uuid.UUID(int=1)
SCAN = datetime(2026, 12, 8, 13, 5, tzinfo=UTC)  # Tuesday 8 December, 14:05 in Paris
# The renderer's "today" (a week before the scan: dates written out, not "today"/"tomorrow").
NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
TRIGGERS = (
    "in_transit", "out_for_delivery", "available_for_pickup", "delivery_attempt_failed",
    "delivered", "exception", "returning_to_sender", "returned_to_sender",
)  # fmt: skip
# The day of the scan and a word of the items line, as each language writes them.
TUESDAY = {
    "en": "Tuesday 8 December", "fr": "mardi 8 décembre", "de": "Dienstag, 8. Dezember",
    "es": "martes 8 de diciembre", "it": "martedì 8 dicembre", "nl": "dinsdag 8 december",
}  # fmt: skip
IN_PARCEL = {"en": "In this parcel", "fr": "Dans ce colis", "de": "In diesem Paket",
             "es": "En este paquete", "it": "In questo pacco", "nl": "In dit pakket"}  # fmt: skip
BRAND = MailBrand(colour="#1f6feb", logo_url="https://console.example/logos/atelier.png",
                  return_policy_url="https://atelier.example/returns")  # fmt: skip


def test_six_languages() -> None:
    assert LANGUAGES == ("en", "de", "es", "fr", "it", "nl")


def test_catalogues_are_complete_and_hold_only_used_ids() -> None:
    assert problems(CATALOGUES, Path(suivi_notifier.__file__).parent) == []


def _ctx(trigger: str, locale: str, **changes: object) -> MessageContext:
    values: dict[str, object] = {
        "trigger": trigger, "locale": locale, "merchant_id": "atelier",
        "merchant_name": "Atelier Comtois", "order_number": "1042", "carrier": "colissimo",
        "tracking_number": "6A12345678901", "status_url": "https://track.example/orders/T",
        "unsubscribe_url": "https://n.example/u/U", "name": "Jeanne", "timezone": "Europe/Paris",
        "event_at": SCAN, "place": "Lyon, FR", "items": (("Bol en grès", 2), ("Théière", 1)),
        "brand": BRAND,
    }  # fmt: skip
    values.update(changes)
    return MessageContext(**values)  # type: ignore[arg-type]


@pytest.mark.parametrize("locale", ["en-GB", "fr-FR", "de-DE", "es-ES", "it-IT", "nl-NL"])
@pytest.mark.parametrize("trigger", TRIGGERS)
def test_every_email_names_date_place_and_items(trigger: str, locale: str) -> None:
    lang = locale[:2]
    r = Renderer(lambda: NOW)
    email = r.email(_ctx(trigger, locale))
    english = r.email(_ctx(trigger, "en"))
    assert email.lang == lang
    assert "1042" in email.subject and "{" not in email.subject
    if lang != "en":
        assert email.subject != english.subject  # no English left
    for body in (email.text, email.html):
        assert f"{TUESDAY[lang]}" in body and "Lyon, FR" in body  # the date, the place
        assert IN_PARCEL[lang] in body and "2 \u00d7 Bol en grès" in body  # the items
        assert "{" not in body and "}" not in body
    assert BRAND.logo_url and f'src="{BRAND.logo_url}"' in email.html  # the logo
    assert "background:#1f6feb" in email.html
    assert "https://atelier.example/returns" in email.text
    sms = r.sms(_ctx(trigger, locale))
    assert "Lyon, FR" in sms and "https://track.example/orders/T" in sms
    push = r.push(_ctx(trigger, locale))
    assert "Lyon, FR" in push.body and "Bol en grès" in push.body


@pytest.mark.parametrize("lang", ["en", "fr", "de", "es", "it", "nl"])
def test_alerts_and_parcels_of_several_in_each_language(lang: str) -> None:
    r = Renderer(lambda: NOW)
    for kind in ("stalled", "late", "recovered"):
        email = r.email(_ctx(alert_trigger(kind, EPISODE), lang, last_event_at=SCAN, event_at=None,
                             expected_by=SCAN))  # fmt: skip
        assert "1042" in email.subject and "{" not in email.text + email.html
        assert "Lyon, FR" in email.text
    one_of_three = r.email(_ctx("delivered", lang, parcels=3, delivered=1)).subject
    two_of_three = r.email(_ctx("delivered", lang, parcels=3, delivered=2)).subject
    assert "1" in one_of_three and "3" in one_of_three and "2" in two_of_three
    assert one_of_three != r.email(_ctx("delivered", lang)).subject


def test_the_right_plural_forms() -> None:
    r = Renderer(lambda: NOW)
    assert r.email(_ctx("delivered", "fr", parcels=3, delivered=1)).subject.startswith(
        "1 colis sur 3 de votre commande 1042 livré"
    )
    assert r.email(_ctx("delivered", "es", parcels=3, delivered=2)).subject == (
        "2 de 3 paquetes de tu pedido 1042 entregados"
    )
    assert r.email(_ctx("delivered", "it", parcels=3, delivered=1)).subject == (
        "1 pacco su 3 del tuo ordine 1042 consegnato"
    )


def test_without_what_is_unknown_the_message_stays_whole() -> None:
    ctx = _ctx("in_transit", "de", event_at=None, place=None, items=(), brand=MailBrand())
    email = Renderer(lambda: NOW).email(ctx)
    assert "In diesem Paket" not in email.text and "Letzte Meldung" not in email.text
    assert "<img" not in email.html and "Atelier Comtois" in email.html


def test_brand_colour_made_readable_and_only_https_assets() -> None:
    pale = mail_brand(Branding(display_name="Pale", colour="#ffe680",
                               logo_url="http://pale.example/logo.png",
                               return_policy_url="https://pale.example/returns"))  # fmt: skip
    assert contrast_ratio(pale.colour, "#ffffff") >= 4.5
    assert pale.logo_url is None and pale.return_policy_url == "https://pale.example/returns"
    assert mail_brand(None) == MailBrand()


@pytest.mark.parametrize("lang", ["en", "fr", "de", "es", "it", "nl"])
def test_digest_in_each_language(lang: str) -> None:
    lines = (
        DigestLine(("1001",), "ups", "1Z999AA10123456784", "stalled", "in_transit", SCAN, SCAN),
        DigestLine(("1002",), "ups", "1Z999AA10123456785", "stalled", "in_transit", SCAN, SCAN),
    )
    digest = Renderer(lambda: NOW).digest(DigestContext("Atelier", lang, "Europe/Paris", 60, lines))
    assert digest.lang == lang and "2" in digest.subject and "{" not in digest.text
    assert "14:05" in digest.text
    unsubscribe = Renderer(lambda: NOW).unsubscribe_page(lang, "email", action="/x", done=False)
    assert f'lang="{lang}"' in unsubscribe
