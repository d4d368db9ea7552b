"""The console's words in six languages: complete gettext catalogues (every id the templates
and routes use, translated, the same placeholders), the language choice, and pages rendered in
Italian and German with Babel's dates and amounts."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from starlette.requests import Request

import suivi_console.web
from suivi_console.web.render import CATALOGUES, LANGUAGES, language, page
from suivi_infra.i18n_check import problems

WEB = Path(suivi_console.web.__file__).parent
REFUNDED: dict[str, Any] = {
    "return_id": "R-ABCD2345", "order_number": "A-1001", "state": "refunded",
    "method": "own_shipment", "rejection_reason": None, "comment": "Un peu juste",
    "items": [{"title": "Chemise lin", "sku": "SHIRT-M", "quantity": 1, "reason": "too_small"}],
    "resolution": {"amount": "39.90", "currency": "EUR"},
    "parcel": {"carrier": "laposte", "tracking_number": "6A99999999999"},
    "deposit": {"occurred_at": "2025-03-04T14:07:00+00:00", "location": {"city": "Lyon",
                                                                        "country": "FR"}},
}  # fmt: skip


def _request(query: str = "", accept: str = "") -> Request:
    return Request({
        "type": "http", "method": "GET", "path": "/returns/R-ABCD2345", "scheme": "http",
        "query_string": query.encode(), "server": ("console.test", 80),
        "headers": [(b"accept-language", accept.encode())] if accept else [],
    })  # fmt: skip


def test_six_languages() -> None:
    assert LANGUAGES == ("en", "de", "es", "fr", "it", "nl")


def test_catalogues_are_complete_and_hold_only_used_ids() -> None:
    assert problems(CATALOGUES, WEB) == []


@pytest.mark.parametrize(
    ("query", "accept", "expected"),
    [
        ("lang=it", "de", "it"),  # the picker (or its remembered cookie, put back as ?lang=)
        ("lang=xx", "nl-BE, fr;q=0.5", "nl"),  # the browser's
        ("", "pt", "en"),
    ],
)
def test_picker_then_browser_then_english(query: str, accept: str, expected: str) -> None:
    assert language(_request(query, accept)) == expected


def test_a_refunded_return_in_italian() -> None:
    # (2025: a past year, so that the dates always carry it, whatever today is)
    steps = [("requested", "2025-03-03T09:00:00+00:00"), ("resolved", None)]
    answer = page(
        _request("lang=it"), "return.html", ret=REFUNDED, steps=steps,
        labels={"too_small": "Too small"}, csrf="csrf",
    )  # fmt: skip
    html = bytes(answer.body).decode()
    assert '<html lang="it">' in html and "Console del negozio" in html
    assert "Ordine" in html and "Rimborsato: 39,90\xa0€" in html
    assert (
        "Consegnato (prima scansione del corriere): martedì 4 marzo 2025, ore 14:07 (UTC)" in html
    )
    assert "Richiesto — lunedì 3 marzo 2025, ore 09:00 (UTC)" in html
    assert "Rimborsato, sostituito o chiuso" in html and "Articoli" in html
    assert 'lang="it" title="Italiano" class="on" aria-current="true">IT' in html
    assert "Refunded" not in html and "Items" not in html


def test_a_refusal_in_german() -> None:
    answer = page(_request("lang=de"), "message.html", 403, message="error.csrf")
    html = bytes(answer.body).decode()
    assert answer.status_code == 403
    assert "Dieses Formular ist abgelaufen. Laden Sie die Seite neu" in html
