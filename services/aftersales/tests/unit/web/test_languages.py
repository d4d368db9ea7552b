"""The shopper's return and claim pages in six languages: complete gettext catalogues, the
language choice, and pages rendered in German and Spanish with Babel's dates and amounts."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

import suivi_aftersales.web
from suivi_aftersales.domain.claims import Claim
from suivi_aftersales.domain.policy import DEFAULT_REASONS, ReasonOption
from suivi_aftersales.domain.returns import Item, Return
from suivi_aftersales.testing.builders import T0, policy
from suivi_aftersales.web.pages import CATALOGUES, SUPPORTED, Translator, choose_language, page
from suivi_aftersales.web.receipt import receipt_pdf
from suivi_aftersales.web.shopper import FormLine, FormView, _steps
from suivi_infra.i18n_check import problems
from suivi_schemas.claims import ClaimOutcome, ClaimReason, ClaimState
from suivi_schemas.common import Location
from suivi_schemas.returns import ReturnMethod, ReturnState

WEB = Path(suivi_aftersales.web.__file__).parent
REFUNDED = Return(
    merchant_id="atelier", return_id="R-ABCD2345", order_number="A-1001",
    state=ReturnState.REFUNDED, method=ReturnMethod.OWN_SHIPMENT, locale="de",
    items=(Item("l1", "SHIRT-M", "Chemise lin", 1, "too_small"),),
    requested_at=T0, approved_at=T0, dropped_off_at=T0 + timedelta(days=1),
    received_at=T0 + timedelta(days=3), resolved_at=T0 + timedelta(days=4),
    parcel_carrier="laposte", parcel_number="6A99999999999",
    deposit_at=T0 + timedelta(days=1, hours=5, minutes=7),
    deposit_location=Location(city="Lyon", postal_code="69002", country="FR"),
    amount="39.90", currency="EUR",
)  # fmt: skip


def test_six_languages() -> None:
    assert SUPPORTED == ("en", "de", "es", "fr", "it", "nl")


def test_catalogues_are_complete_and_hold_only_used_ids() -> None:
    # Every id the code and templates use translated in every language, none unused, the
    # same placeholders as English.
    assert problems(CATALOGUES, WEB) == []


@pytest.mark.parametrize(
    ("override", "order_locale", "accept", "expected"),
    [
        ("it", "de", "fr", "it"),  # the picker (or its cookie, put back as ?lang=)
        ("xx", "de-AT", "fr", "de"),  # the order's language
        (None, "pt", "nl-BE, fr;q=0.8", "nl"),  # the browser's
        (None, None, None, "en"),
    ],
)
def test_picker_then_order_then_browser_then_english(
    override: str | None, order_locale: str | None, accept: str | None, expected: str
) -> None:
    assert choose_language(override, order_locale, accept) == expected


def test_a_refunded_return_in_german() -> None:
    t = Translator("de", now=T0)
    answer = page(
        "return.html", t, ret=REFUNDED, steps=_steps(REFUNDED, t), instructions=None, paid=None,
        deposit_place="69002 Lyon FR", carriers=(), tracking_form=None, refusal=None,
        base="/orders/tok/returns", here="/orders/tok/returns/R-ABCD2345",
    )  # fmt: skip
    html = bytes(answer.body).decode()
    assert '<html lang="de">' in html and "Rücksendung R-ABCD2345" in html
    assert "Bestellung A-1001" in html and "Erstattet" in html and "Beim Shop eingegangen" in html
    assert "Betrag: 39,90\xa0€" in html  # Babel's German amount
    assert "Einlieferungsnachweis" in html
    # The carrier's first scan, in UTC and saying so, in German words.
    assert (
        "Erster Scan durch den Versanddienstleister: Dienstag, 3. März um 14:07 Uhr (UTC)" in html
    )
    assert 'hreflang="de" lang="de" aria-current="true">Deutsch' in html
    assert "Returns" not in html and "Refunded" not in html


def test_the_request_form_in_spanish_names_default_reasons_in_spanish() -> None:
    own = ReasonOption(code="colour", label_en="Wrong colour", label_fr="Mauvaise couleur")
    chosen = policy().model_copy(update={"reasons": (*DEFAULT_REASONS, own)})
    form = FormView("csrf", chosen, T0 + timedelta(days=30), (FormLine("l1", "Chemise lin", 2),))
    t = Translator("es", now=T0)
    answer = page(
        "returns.html", t, order=type("O", (), {"order_number": "A-1001"})(), existing=[],
        form=form, none_left=False, refusal="no_items", base="/b", here="/b",
    )  # fmt: skip
    html = bytes(answer.body).decode()
    assert "Devoluciones · Pedido A-1001" in html
    assert "Puedes devolver artículos hasta el 1 de abril." in html
    assert "Demasiado pequeño" in html and "He cambiado de opinión" in html
    assert "Wrong colour" in html  # the merchant's own reason: its English label
    assert "Elige al menos un artículo para devolver." in html
    assert "Lo envío yo" in html and "Solicitar la devolución" in html


def test_a_claim_thread_in_italian() -> None:
    claim = Claim(
        merchant_id="atelier", claim_id="C-ABCD2345", order_number="A-1001", carrier="laposte",
        tracking_number="6A11111111111", reason=ClaimReason.DAMAGED,
        state=ClaimState.RESOLVED, locale="it", opened_at=T0, outcome=ClaimOutcome.RESHIP,
    )  # fmt: skip
    messages = [{"author": "shopper", "created_at": T0, "body": "Scatola rotta"}]
    answer = page(
        "claim.html", Translator("it", now=T0), claim=claim, messages=messages, reply="csrf",
        refusal=None, base="/c", here="/c/C-ABCD2345",
    )  # fmt: skip
    html = bytes(answer.body).decode()
    assert "Reclamo C-ABCD2345" in html and "Arrivato danneggiato" in html
    assert "Risolto" in html and "Rispedito" in html and "Rispondi" in html
    assert "lunedì 2 marzo, ore 09:00 (UTC)" in html


def test_the_deposit_receipt_in_dutch() -> None:
    pdf = receipt_pdf(REFUNDED, Translator("nl", now=T0))
    assert pdf.startswith(b"%PDF") and b"Inleverbewijs van een retour" in pdf
