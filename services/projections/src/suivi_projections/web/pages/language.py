"""The shopper's own language choice, remembered: the pages' picker links to `?lang=xx`; the
shared middleware (`suivi_infra.language_cookie`) answers such a GET with a cookie
(`suivi_lang`, a year, HttpOnly, Lax), and on later requests without `?lang=` puts the
remembered choice back into the query, so that every route (pages, live fragments, the
dashboard) reads one parameter. The order's locale and the browser's Accept-Language only
decide when the shopper has not chosen."""

from __future__ import annotations

from starlette.types import ASGIApp

from suivi_infra import language_cookie
from suivi_projections.web.pages.i18n import LANGUAGE_COOKIE, SUPPORTED


class RememberLanguage(language_cookie.RememberLanguage):
    def __init__(self, app: ASGIApp) -> None:
        super().__init__(app, SUPPORTED, LANGUAGE_COOKIE)
