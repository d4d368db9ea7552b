"""A claim's dossier for the carrier: order reference, parcel, carrier, the full timeline with
places and times, the conversation and the photos, as JSON and as a PDF (fpdf2).

The PDF is in the merchant's language (`?lang=`, else the merchant's console language, else the
request's Accept-Language, else English: the pages' catalogues) and written in DejaVu Sans with
a CJK fallback font (`fonts.py`), so "Łódź" or a Chinese scan message print as sent; without
those fonts it keeps the core Helvetica, where anything outside Latin-1 prints as '?'."""

from __future__ import annotations

import io
import logging
from datetime import UTC, datetime
from typing import Any

from babel.dates import format_date
from fpdf import FPDF

from suivi_aftersales.domain.claims import Checkpoint, Claim
from suivi_aftersales.web.fonts import NONE, UNICODE, PdfFonts, latin1, unicode_family
from suivi_aftersales.web.pages import Translator, choose_language, place
from suivi_infra.merchants import KeyLookup, MerchantDirectory

log = logging.getLogger(__name__)


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


def dossier_translator(
    merchants: KeyLookup, merchant_id: str, override: str | None, accept: str | None
) -> Translator:
    """`?lang=`, else the language the merchant set in the console, else the request's."""
    record = merchants.record(merchant_id) if isinstance(merchants, MerchantDirectory) else None
    own = record.branding.language if record is not None else None
    return Translator(choose_language(override, own, accept))


def _stamp(t: Translator, moment: datetime) -> str:
    """'8 December 2026, 14:05 UTC' ('8 décembre 2026 à 14:05 UTC'): always with the year."""
    day = format_date(moment.astimezone(UTC).date(), t("date.plain_year"), locale=t.language)
    return t("date.moment_utc", day=day, time=t.time(moment))


def _blocks(
    claim: Claim, timeline: list[Checkpoint], thread: list[dict[str, Any]], t: Translator
) -> list[tuple[str, str]]:
    """The dossier's text as (kind, text): title, line, heading or row."""
    state = t(f"dossier.state.{claim.state.value}")
    out = [
        ("title", t("claims.claim", claim=claim.claim_id)),
        ("line", t("dossier.order", order=claim.order_number, merchant=claim.merchant_id)),
        ("line", t("dossier.parcel", carrier=claim.carrier, number=claim.tracking_number)),
        ("line", t("dossier.reason", reason=t(f"claims.reason.{claim.reason.value}"),
                   when=_stamp(t, claim.opened_at))),
        ("line", t("dossier.state", state=state)),
    ]  # fmt: skip
    if claim.outcome is not None:
        outcome = t(f"claims.outcome.{claim.outcome.value}")
        if claim.outcome_reason:
            outcome += f" ({claim.outcome_reason})"
        out.append(("line", t("dossier.outcome", outcome=outcome)))
    out.append(("heading", t("dossier.timeline")))
    for c in timeline:
        text = f"{_stamp(t, c.occurred_at)}  {t(f'dossier.status.{c.status.value}')}"
        text += f"  {place(c.location) or '-'}"
        out.append(("row", f"{text}  {c.message}" if c.message else text))
    out.append(("heading", t("dossier.conversation")))
    for m in thread:
        author = m["author"]
        who = t(f"dossier.author.{author}") if author in ("shopper", "merchant") else author
        out.append(("row", f"{_stamp(t, m['created_at'])}  {who}: {m['body']}"))
    return out


def dossier_pdf(
    claim: Claim, timeline: list[Checkpoint], thread: list[dict[str, Any]],
    photos: list[bytes], t: Translator, fonts: PdfFonts = NONE,
) -> bytes:  # fmt: skip
    blocks = _blocks(claim, timeline, thread, t)
    pdf = FPDF(format=(210, 297))  # A4, in millimetres
    unicode = unicode_family(pdf, fonts, "".join(text for _, text in blocks))
    family = UNICODE if unicode else "Helvetica"

    def text(value: str) -> str:
        return value if unicode else latin1(value)

    pdf.set_title(text(blocks[0][1]))
    pdf.set_creator("Suivi")
    pdf.add_page()
    for kind, value in blocks:
        if kind == "heading":
            pdf.ln(2)
        style, size, height = {
            "title": ("B", 15, 9), "line": ("", 10, 5.5), "heading": ("B", 12, 7), "row": ("", 9, 5)
        }[kind]  # fmt: skip
        pdf.set_font(family, style, size)
        pdf.multi_cell(0, height, text(value), new_x="LMARGIN", new_y="NEXT")
    for n, data in enumerate(photos):
        pdf.add_page()
        if n == 0:
            pdf.set_font(family, "B", 12)
            pdf.cell(0, 7, text(t("dossier.photos")), new_x="LMARGIN", new_y="NEXT")
        pdf.image(io.BytesIO(data), w=170)
    return bytes(pdf.output())
