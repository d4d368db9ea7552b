"""A claim's dossier for the carrier: order reference, parcel, carrier, the full timeline with
places and times, the conversation and the photos, as JSON and as a PDF (fpdf2)."""

from __future__ import annotations

import io
from datetime import UTC
from typing import Any

from fpdf import FPDF

from suivi_aftersales.domain.claims import Checkpoint, Claim
from suivi_aftersales.web.pages import place


def dossier_json(
    claim: Claim, timeline: list[Checkpoint], thread: list[dict[str, Any]]
) -> dict[str, Any]:
    return {
        "claim_id": claim.claim_id, "order_number": claim.order_number,
        "carrier": claim.carrier, "tracking_number": claim.tracking_number,
        "reason": claim.reason.value, "state": claim.state.value,
        "opened_at": claim.opened_at.isoformat(),
        "outcome": claim.outcome.value if claim.outcome else None,
        "timeline": [
            {"occurred_at": c.occurred_at.isoformat(), "status": c.status.value,
             "place": place(c.location), "message": c.message}
            for c in timeline
        ],
        "messages": [
            {"author": m["author"], "at": m["created_at"].isoformat(), "body": m["body"]}
            for m in thread
        ],
        "photos": claim.photos,
    }  # fmt: skip


def _latin1(text: str) -> str:
    return text.encode("latin-1", "replace").decode("latin-1")


def dossier_pdf(
    claim: Claim, timeline: list[Checkpoint], thread: list[dict[str, Any]],
    photos: list[bytes],
) -> bytes:  # fmt: skip
    pdf = FPDF(format=(210, 297))  # A4, in millimetres
    pdf.set_title(f"Claim {claim.claim_id}")
    pdf.set_creator("Suivi")
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 15)
    pdf.cell(0, 9, _latin1(f"Claim {claim.claim_id}"), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 10)
    head = [
        f"Order: {claim.order_number} ({claim.merchant_id})",
        f"Parcel: {claim.carrier} {claim.tracking_number}",
        f"Reason: {claim.reason.value}, opened {claim.opened_at.astimezone(UTC):%Y-%m-%d %H:%M}",
    ]
    for line in head:
        pdf.multi_cell(0, 5.5, _latin1(line), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    pdf.set_font("Helvetica", "B", 12)
    pdf.cell(0, 7, "Timeline", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 9)
    for c in timeline:
        where = place(c.location) or "-"
        text = f"{c.occurred_at.astimezone(UTC):%Y-%m-%d %H:%M} UTC  {c.status.value}  {where}"
        if c.message:
            text += f"  {c.message}"
        pdf.multi_cell(0, 5, _latin1(text), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    pdf.set_font("Helvetica", "B", 12)
    pdf.cell(0, 7, "Conversation", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 9)
    for m in thread:
        when = m["created_at"].astimezone(UTC)
        line = f"{when:%Y-%m-%d %H:%M} UTC {m['author']}: {m['body']}"
        pdf.multi_cell(0, 5, _latin1(line), new_x="LMARGIN", new_y="NEXT")
    for data in photos:
        pdf.add_page()
        pdf.image(io.BytesIO(data), w=170)
    return bytes(pdf.output())
