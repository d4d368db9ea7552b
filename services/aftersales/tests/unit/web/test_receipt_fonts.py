"""The return's proof of deposit PDF in the dossier's Unicode fonts: a deposit place in Polish
and an item named in Chinese print as written; without fonts, Latin-1 as before."""

from __future__ import annotations

import io
from dataclasses import replace
from datetime import timedelta

import pytest
from pypdf import PdfReader

from suivi_aftersales.domain.returns import Item, Return
from suivi_aftersales.testing.builders import T0
from suivi_aftersales.web.fonts import find_fonts
from suivi_aftersales.web.pages import Translator
from suivi_aftersales.web.receipt import receipt_pdf
from suivi_schemas.common import Location
from suivi_schemas.returns import ReturnMethod, ReturnState

FONTS = find_fonts()
DEPOSITED = Return(
    merchant_id="atelier", return_id="R-ABCD2345", order_number="A-1001",
    state=ReturnState.DROPPED_OFF, method=ReturnMethod.OWN_SHIPMENT, locale="en",
    items=(Item("l1", "SHIRT-M", "Koszula lniana 亚麻衬衫", 1, "too_small"),),
    requested_at=T0, approved_at=T0, dropped_off_at=T0 + timedelta(days=1),
    parcel_carrier="inpost", parcel_number="620000000000000000000000",
    deposit_at=T0 + timedelta(days=1, hours=5),
    deposit_location=Location(city="Łódź", postal_code="90-001", country="PL"),
)  # fmt: skip


def text_of(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


@pytest.mark.skipif(FONTS.regular is None, reason="no DejaVu Sans on this machine")
def test_a_polish_place_prints_as_written() -> None:
    text = text_of(receipt_pdf(DEPOSITED, Translator("en", now=T0), FONTS))
    assert "Łódź" in text and "Koszula lniana" in text and "?" not in text


@pytest.mark.skipif(FONTS.cjk is None, reason="no CJK font on this machine")
def test_a_chinese_item_name_prints_as_written() -> None:
    assert "亚麻衬衫" in text_of(receipt_pdf(DEPOSITED, Translator("en", now=T0), FONTS))


def test_without_fonts_the_receipt_is_latin1() -> None:
    text = text_of(receipt_pdf(DEPOSITED, Translator("en", now=T0)))
    assert "?ód?" in text  # Ł and ź are not Latin-1: '?' as before, never an error
    assert "A-1001" in text


def test_the_receipt_needs_a_first_scan() -> None:
    with pytest.raises(ValueError, match="first scan"):
        receipt_pdf(replace(DEPOSITED, deposit_at=None), Translator("en", now=T0), FONTS)
