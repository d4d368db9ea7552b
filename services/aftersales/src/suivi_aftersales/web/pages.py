"""Server-rendered return pages: French or English, inline CSS under a nonce-based Content
Security Policy, no external asset, never cached, indexed or framed; the URL holds the order's
secret token, so no referrer ever carries it away."""

from __future__ import annotations

import functools
import json
import secrets
from datetime import UTC, datetime
from importlib import resources

from fastapi.responses import HTMLResponse
from jinja2 import Environment, PackageLoader, StrictUndefined

from suivi_schemas.common import Location

SUPPORTED = ("en", "fr")
TEMPLATES = Environment(
    loader=PackageLoader("suivi_aftersales.web", "templates"),
    autoescape=True,
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)


@functools.cache
def messages(language: str) -> dict[str, str]:
    text = (resources.files("suivi_aftersales.web") / "locales" / f"{language}.json").read_text()
    loaded: dict[str, str] = json.loads(text)
    return loaded


def choose_language(override: str | None, order_locale: str | None) -> str:
    """`?lang=` if supported, else the order's language, else English."""
    for tag in (override, order_locale):
        base = (tag or "").split("-")[0].lower()
        if base in SUPPORTED:
            return base
    return "en"


class Translator:
    def __init__(self, language: str) -> None:
        self.language = language
        self._messages = messages(language)

    def __call__(self, key: str, **values: object) -> str:
        return self._messages[key].format(**values)

    def when(self, at: datetime) -> str:
        utc = at.astimezone(UTC)
        if self.language == "fr":
            return utc.strftime("%d/%m/%Y à %H:%M UTC")
        return utc.strftime("%Y-%m-%d %H:%M UTC")

    def day(self, at: datetime) -> str:
        utc = at.astimezone(UTC)
        return utc.strftime("%d/%m/%Y") if self.language == "fr" else utc.strftime("%Y-%m-%d")


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
    body = TEMPLATES.get_template(template).render(t=t, lang=t.language, nonce=nonce, **context)
    return HTMLResponse(body, status_code=status, headers=security_headers(nonce))
