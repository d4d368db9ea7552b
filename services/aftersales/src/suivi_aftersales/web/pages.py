"""Server-rendered return and claim pages in the shopper's language (en fr de es it nl: gettext
catalogues under `locales/`, `make i18n`, read by `suivi_infra.i18n`; ids built at run time are
marked in `keys.py`), inline CSS under a nonce-based Content Security Policy, no external
asset, never cached, indexed or framed; the URL holds the order's secret token, so no referrer
ever carries it away."""

from __future__ import annotations

import secrets
from datetime import datetime

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, PackageLoader, StrictUndefined

from suivi_aftersales.domain.policy import DEFAULT_REASONS, ReasonOption
from suivi_infra import i18n
from suivi_infra.i18n_utc import UtcTranslator
from suivi_infra.language_cookie import picker
from suivi_schemas.common import Location

CATALOGUES = i18n.Catalogues("suivi_aftersales.web")
SUPPORTED = CATALOGUES.languages
TEMPLATES = Environment(
    loader=PackageLoader("suivi_aftersales.web", "templates"),
    autoescape=True,
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)
_DEFAULT_LABELS = {r.code: r.label_en for r in DEFAULT_REASONS}


def choose_language(
    override: str | None, order_locale: str | None, accept: str | None = None
) -> str:
    """The picker (`?lang=`, which the `suivi_lang` cookie fills in when the shopper chose on
    the status page or here), else the order's language, else the browser's, else English."""
    for tag in (override, order_locale):
        found = i18n.base_language(tag, SUPPORTED)
        if found:
            return found
    return i18n.from_accept_language(accept, SUPPORTED) or i18n.DEFAULT


def shopper_translator(request: Request, order_locale: str | None = None) -> Translator:
    """The words of the shopper who asks (`choose_language`)."""
    chosen = choose_language(
        request.query_params.get("lang"), order_locale, request.headers.get("accept-language")
    )
    return Translator(chosen)


class Translator(UtcTranslator):
    """Messages, dates and amounts of one language. Times are UTC and say so: after-sales does
    not know the shopper's zone."""

    def __init__(self, language: str, now: datetime | None = None) -> None:
        super().__init__(CATALOGUES, language, now)

    def reason(self, option: ReasonOption) -> str:
        """A return reason: the merchant's own label in English or French; in the other
        languages the catalogue's words for a default reason the merchant kept as it was, else
        the merchant's English."""
        if self.language == "fr":
            return option.label_fr
        if self.language != "en" and _DEFAULT_LABELS.get(option.code) == option.label_en:
            return self(f"return_reason.{option.code}")
        return option.label_en


def place(location: Location | None) -> str | None:
    if location is None:
        return None
    parts = [location.postal_code, location.city, location.region, location.country]
    text = " ".join(p for p in parts if p)
    return text or None


def security_headers(nonce: str) -> dict[str, str]:
    csp = (
        f"default-src 'none'; style-src 'nonce-{nonce}'; img-src 'self' data:; "
        "form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
    )
    return {
        "Content-Security-Policy": csp,
        "Referrer-Policy": "no-referrer",
        "X-Content-Type-Options": "nosniff",
        "X-Frame-Options": "DENY",
        "X-Robots-Tag": "noindex, nofollow",
        "Cache-Control": "no-store",
        "Cross-Origin-Opener-Policy": "same-origin",
        "Cross-Origin-Resource-Policy": "same-origin",
    }


def page(template: str, t: Translator, status: int = 200, **context: object) -> HTMLResponse:
    nonce = secrets.token_urlsafe(16)
    body = TEMPLATES.get_template(template).render(
        t=t, lang=t.language, languages=picker(SUPPORTED), nonce=nonce, **context
    )
    return HTMLResponse(body, status_code=status, headers=security_headers(nonce))
