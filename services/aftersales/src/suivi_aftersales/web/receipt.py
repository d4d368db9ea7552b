"""The proof of deposit as a small PDF (fpdf2): RMA, order, the carrier's first scan (time and
place), the return parcel and its items. Nothing personal: no name or address. In DejaVu Sans
(and the CJK fallback) when found, as the claim dossier (`fonts.py`); else the core Helvetica,
where anything outside Latin-1 prints as '?'."""

from __future__ import annotations

from fpdf import FPDF

from suivi_aftersales.domain.returns import Return
from suivi_aftersales.web.fonts import NONE, UNICODE, PdfFonts, latin1, unicode_family
from suivi_aftersales.web.pages import Translator, place


def receipt_pdf(ret: Return, t: Translator, fonts: PdfFonts = NONE) -> bytes:
    if ret.deposit_at is None:
        raise ValueError("a receipt needs the carrier's first scan")
    lines = [
        t("rma", rma=ret.return_id),
        t("order", order=ret.order_number),
        t("receipt.shop", merchant=ret.merchant_id),
        t("deposit.at", when=t.when(ret.deposit_at)),
    ]
    where = place(ret.deposit_location)
    if where:
        lines.append(t("deposit.place", place=where))
    if ret.parcel_carrier and ret.parcel_number:
        lines.append(t("tracking", carrier=ret.parcel_carrier, number=ret.parcel_number))
    lines.append(t("receipt.items", n=sum(i.quantity for i in ret.items)))
    lines += [f"  {i.quantity} x {i.title}" for i in ret.items]
    title = t("receipt.title")
    pdf = FPDF(format=(148, 210))  # A5, in millimetres
    unicode = unicode_family(pdf, fonts, title + "".join(lines))
    family = UNICODE if unicode else "Helvetica"

    def text(value: str) -> str:
        return value if unicode else latin1(value)

    pdf.set_title(text(title))
    pdf.set_creator("Suivi")
    pdf.add_page()
    pdf.set_font(family, "B", 15)
    pdf.multi_cell(0, 9, text(title), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    pdf.set_font(family, "", 11)
    for line in lines:
        pdf.multi_cell(0, 6.5, text(line), new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())
