"""The proof of deposit as a small PDF (fpdf2, core fonts): RMA, order, the carrier's first scan
(time and place), the return parcel and its items. Nothing personal: no name or address."""

from __future__ import annotations

from fpdf import FPDF

from suivi_aftersales.domain.returns import Return
from suivi_aftersales.web.pages import Translator, place


def _latin1(text: str) -> str:
    # The PDF core fonts cover Latin-1: anything else (a place in another script) degrades to
    # '?', never an error.
    return text.encode("latin-1", "replace").decode("latin-1")


def receipt_pdf(ret: Return, t: Translator) -> bytes:
    if ret.deposit_at is None:
        raise ValueError("a receipt needs the carrier's first scan")
    pdf = FPDF(format=(148, 210))  # A5, in millimetres
    pdf.set_title(_latin1(t("receipt.title")))
    pdf.set_creator("Suivi")
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 15)
    pdf.multi_cell(0, 9, _latin1(t("receipt.title")), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    pdf.set_font("Helvetica", "", 11)
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
    for line in lines:
        pdf.multi_cell(0, 6.5, _latin1(line), new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())
