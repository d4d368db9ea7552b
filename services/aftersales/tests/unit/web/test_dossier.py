"""The claim dossier PDF: in the merchant's language (French labels, reasons, states and dates
from the catalogues), in DejaVu Sans with a CJK fallback so "Łódź" and a Chinese scan message
survive, and still a PDF (Latin-1) without usable fonts."""

from __future__ import annotations

import io
import logging
from datetime import timedelta
from pathlib import Path

import pytest
from PIL import Image
from pypdf import PdfReader

from suivi_aftersales.domain.claims import Checkpoint, Claim
from suivi_aftersales.testing.builders import T0
from suivi_aftersales.web.dossier import dossier_pdf, dossier_translator
from suivi_aftersales.web.fonts import PdfFonts, find_fonts
from suivi_aftersales.web.pages import Translator
from suivi_infra.merchant_keys import MerchantKeys
from suivi_infra.merchants import MerchantDirectory
from suivi_schemas.claims import ClaimOutcome, ClaimReason, ClaimState
from suivi_schemas.common import Location
from suivi_schemas.merchants import Branding, MerchantRecord
from suivi_schemas.status import ShipmentStatus

CLAIM = Claim(
    merchant_id="atelier", claim_id="C-ABCD2345", order_number="A-1001", carrier="cainiao",
    tracking_number="LP00123456789012", reason=ClaimReason.DAMAGED, state=ClaimState.RESOLVED,
    locale="pl", opened_at=T0 + timedelta(days=3), outcome=ClaimOutcome.RESHIP,
)  # fmt: skip
CHINESE = "已到达【深圳转运中心】"
TIMELINE = [
    Checkpoint("e1", T0, ShipmentStatus.IN_TRANSIT, Location(city="深圳", country="CN"), CHINESE),
    Checkpoint("e2", T0 + timedelta(days=2), ShipmentStatus.DELIVERED,
               Location(city="Łódź", postal_code="90-001", country="PL"), "Doręczono"),
]  # fmt: skip
THREAD = [{"author": "shopper", "created_at": T0 + timedelta(days=3), "body": "Pudełko zgniecione"}]
FONTS = find_fonts()


def text_of(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def photo() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), "red").save(out, "PNG")
    return out.getvalue()


def french_merchant() -> MerchantDirectory:
    directory = MerchantDirectory()
    directory.apply("atelier", MerchantRecord(
        merchant_id="atelier", revision=1, updated_at=T0,
        branding=Branding(display_name="Atelier", language="fr-FR"),
    ))  # fmt: skip
    return directory


@pytest.mark.parametrize(
    ("override", "accept", "expected"),
    [("de", "it", "de"), (None, "it", "fr"), ("xx", None, "fr")],
)
def test_the_language_is_the_override_else_the_merchants(
    override: str | None, accept: str | None, expected: str
) -> None:
    assert dossier_translator(french_merchant(), "atelier", override, accept).language == expected


def test_without_a_merchant_language_the_request_decides() -> None:
    keys = MerchantKeys((("atelier", "k" * 24),))
    assert dossier_translator(keys, "atelier", None, "nl-BE, fr;q=0.5").language == "nl"
    assert dossier_translator(keys, "atelier", None, None).language == "en"


def test_a_french_merchants_dossier_has_french_labels() -> None:
    t = dossier_translator(french_merchant(), "atelier", None, None)
    text = text_of(dossier_pdf(CLAIM, TIMELINE, THREAD, [photo()], t, FONTS))
    for words in (
        "Réclamation C-ABCD2345",
        "Commande : A-1001 (atelier)",
        "Colis : cainiao",
        "Motif : Arrivé abîmé, ouverte le 5 mars 2026 à 09:00 UTC",
        "État : Résolue",
        "Issue : Renvoyé",
        "Historique",
        "2 mars 2026 à 09:00 UTC",
        "En transit",
        "Livré",
        "Échanges",
        "Client: Pudełko",
        "Photos",
    ):
        assert words in text, words
    for english in ("Claim", "Order", "Parcel", "Timeline", "Conversation", "delivered", "opened"):
        assert english not in text


@pytest.mark.skipif(FONTS.cjk is None, reason="no CJK font (deploy/scripts/bootstrap.sh)")
def test_polish_and_chinese_keep_their_characters() -> None:
    pdf = dossier_pdf(CLAIM, TIMELINE, THREAD, [], Translator("en", now=T0), FONTS)
    text = text_of(pdf)
    assert "Łódź" in text and CHINESE in text and "深圳" in text and "Pudełko zgniecione" in text
    assert "Delivered" in text and "2 March 2026, 09:00 UTC" in text
    assert b"DejaVuSans" in pdf and any(n in pdf for n in (b"WenQuanYi", b"Noto", b"Droid"))


def test_the_cjk_font_is_only_embedded_when_needed() -> None:
    latin = [Checkpoint("e3", T0, ShipmentStatus.DELIVERED, Location(city="Łódź"), None)]
    pdf = dossier_pdf(CLAIM, latin, [], [], Translator("en", now=T0), FONTS)
    assert "Łódź" in text_of(pdf)
    assert pdf.count(b"/FontFile2") == 2  # DejaVu Sans and its bold, no CJK font


def test_without_fonts_the_dossier_is_latin1() -> None:
    pdf = dossier_pdf(CLAIM, TIMELINE, THREAD, [photo()], Translator("fr", now=T0), PdfFonts())
    text = text_of(pdf)
    assert pdf.startswith(b"%PDF") and "?ód?" in text and "Historique" in text
    assert b"/FontFile2" not in pdf


def test_an_unreadable_font_falls_back_with_one_warning(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    broken = tmp_path / "DejaVuSans.ttf"
    broken.write_bytes(b"not a font")
    fonts = PdfFonts(regular=broken)
    with caplog.at_level(logging.WARNING, "suivi_aftersales.web.dossier"):
        for _ in range(2):
            pdf = dossier_pdf(CLAIM, TIMELINE, THREAD, [], Translator("en", now=T0), fonts)
            assert pdf.startswith(b"%PDF") and "?ód?" in text_of(pdf)
    assert len(caplog.records) == 1 and "Pudełko" not in caplog.text


def test_fonts_are_found_under_the_configured_folders(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    (tmp_path / "a" / "dejavu").mkdir(parents=True)
    (tmp_path / "b" / "wqy").mkdir(parents=True)
    names = ("a/dejavu/DejaVuSans.ttf", "a/dejavu/DejaVuSans-Bold.ttf", "b/wqy/wqy-microhei.ttc")
    for path in names:
        (tmp_path / path).write_bytes(b"")
    found = find_fonts(f"{tmp_path / 'missing'}:{tmp_path / 'a'}:{tmp_path / 'b'}")
    assert found == PdfFonts(
        tmp_path / "a/dejavu/DejaVuSans.ttf", tmp_path / "a/dejavu/DejaVuSans-Bold.ttf",
        tmp_path / "b/wqy/wqy-microhei.ttc",
    )  # fmt: skip
    with caplog.at_level(logging.WARNING, "suivi_aftersales.web.fonts"):
        assert find_fonts(str(tmp_path / "missing")) == PdfFonts()
    assert "Latin-1" in caplog.text
