"""Jinja rendering in the merchant's language (en fr de es it nl: gettext catalogues under
`locales/`, `make i18n`, read by `suivi_infra.i18n`; ids passed or built at run time are marked
in `words.py`), with a per-response CSP nonce and strict headers. The picker's `?lang=` is
remembered in the `suivi_lang` cookie (`suivi_infra.language_cookie`, installed by the app)."""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, PackageLoader, select_autoescape

from suivi_infra import i18n
from suivi_infra.i18n_utc import UtcTranslator
from suivi_infra.language_cookie import picker

CATALOGUES = i18n.Catalogues("suivi_console.web")
LANGUAGES = CATALOGUES.languages

_ENV = Environment(
    loader=PackageLoader("suivi_console.web", "templates"),
    autoescape=select_autoescape(["html", "css"]),
    trim_blocks=True,
    lstrip_blocks=True,
)


class Translator(UtcTranslator):
    """The console's words, dates (UTC, said so) and amounts in one language."""

    def __init__(self, language: str, now: datetime | None = None) -> None:
        super().__init__(CATALOGUES, language, now)


def language(request: Request) -> str:
    """The picker's (or its cookie's, put back as `?lang=`), else the browser's, else English."""
    return (
        i18n.base_language(request.query_params.get("lang"), LANGUAGES)
        or i18n.from_accept_language(request.headers.get("accept-language"), LANGUAGES)
        or i18n.DEFAULT
    )


def security_headers(nonce: str) -> dict[str, str]:
    """No script at all, styles only with the nonce, images from here only (logos), forms only
    to here, never framed (clickjacking), no referrer (reset tokens sit in URLs)."""
    return {
        "Content-Security-Policy": (
            f"default-src 'none'; style-src 'nonce-{nonce}'; img-src 'self' data:; "
            "form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
        ),
        "X-Frame-Options": "DENY",
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "no-referrer",
        "Cache-Control": "no-store",
        "Cross-Origin-Opener-Policy": "same-origin",
        "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
    }


def page(
    request: Request, template: str, http_status: int = 200,
    http_headers: dict[str, str] | None = None, **context: Any,
) -> HTMLResponse:  # fmt: skip
    t = Translator(language(request))
    nonce = secrets.token_urlsafe(16)
    html = _ENV.get_template(template).render(
        lang=t.language, languages=picker(LANGUAGES), t=t, nonce=nonce, path=request.url.path,
        **context,
    )  # fmt: skip
    response = HTMLResponse(html, status_code=http_status)
    response.headers.update(security_headers(nonce) | (http_headers or {}))
    return response
