"""Jinja rendering with the page's language, a per-response CSP nonce and strict headers."""

from __future__ import annotations

import json
import secrets
from functools import cache
from importlib import resources
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, PackageLoader, select_autoescape

LANGUAGES = ("en", "fr")

_ENV = Environment(
    loader=PackageLoader("suivi_console.web", "templates"),
    autoescape=select_autoescape(["html", "css"]),
    trim_blocks=True,
    lstrip_blocks=True,
)


@cache
def catalogue(lang: str) -> dict[str, str]:
    text = resources.files("suivi_console.web").joinpath(f"locales/{lang}.json").read_text("utf-8")
    found: dict[str, str] = json.loads(text)
    return found


def language(request: Request) -> str:
    asked = request.query_params.get("lang") or request.cookies.get("lang")
    if asked in LANGUAGES:
        return asked
    for part in request.headers.get("accept-language", "").split(","):
        code = part.split(";")[0].strip().lower()[:2]
        if code in LANGUAGES:
            return code
    return "en"


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
    lang = language(request)
    words = catalogue(lang)
    nonce = secrets.token_urlsafe(16)

    def t(key: str, **values: Any) -> str:
        text = words.get(key) or catalogue("en").get(key) or key
        return text.format(**values) if values else text

    html = _ENV.get_template(template).render(
        lang=lang, t=t, nonce=nonce, path=request.url.path, **context
    )
    response = HTMLResponse(html, status_code=http_status)
    response.headers.update(security_headers(nonce) | (http_headers or {}))
    if request.query_params.get("lang") in LANGUAGES:
        response.set_cookie("lang", lang, max_age=365 * 86400, samesite="lax", httponly=True)
    return response
