"""The shopper's own language choice, remembered: the pages' picker links to `?lang=xx`; this
ASGI middleware answers such a GET with a cookie (`suivi_lang`, a year, HttpOnly, Lax), and on
later requests without `?lang=` puts the remembered choice back into the query, so that every
route (pages, live fragments, the dashboard) reads one parameter. The order's locale and the
browser's Accept-Language only decide when the shopper has not chosen."""

from __future__ import annotations

from http.cookies import SimpleCookie
from urllib.parse import parse_qsl, urlencode

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from suivi_projections.web.pages.i18n import LANGUAGE_COOKIE, SUPPORTED

YEAR = 365 * 24 * 3600


def _cookie(scope: Scope) -> str | None:
    for name, value in scope.get("headers", ()):
        if name == b"cookie":
            jar: SimpleCookie = SimpleCookie()
            try:
                jar.load(value.decode("latin-1"))
            except Exception:  # a malformed cookie header is no choice
                return None
            morsel = jar.get(LANGUAGE_COOKIE)
            return morsel.value if morsel is not None and morsel.value in SUPPORTED else None
    return None


class RememberLanguage:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        query = parse_qsl(scope.get("query_string", b"").decode("latin-1"), keep_blank_values=True)
        chosen = next((v for k, v in query if k == "lang"), None)
        if chosen is None:
            remembered = _cookie(scope)
            if remembered is not None:
                query.append(("lang", remembered))
                scope = {**scope, "query_string": urlencode(query).encode("latin-1")}
            await self.app(scope, receive, send)
            return
        if chosen not in SUPPORTED or scope.get("method") != "GET":
            await self.app(scope, receive, send)
            return
        secure = "; Secure" if scope.get("scheme") == "https" else ""
        header = (
            f"{LANGUAGE_COOKIE}={chosen}; Path=/; Max-Age={YEAR}; SameSite=Lax; HttpOnly{secure}"
        ).encode("latin-1")

        async def remember(message: Message) -> None:
            if message["type"] == "http.response.start":
                message = {
                    **message,
                    "headers": [*message.get("headers", []), (b"set-cookie", header)],
                }
            await send(message)

        await self.app(scope, receive, remember)
