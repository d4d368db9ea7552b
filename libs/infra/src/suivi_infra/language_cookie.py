"""The shopper's own language choice, remembered, for every service's pages: a picker links to
`?lang=xx`; this ASGI middleware answers such a GET with a cookie (`suivi_lang`, a year,
HttpOnly, Lax), and on later requests without `?lang=` puts the remembered choice back into the
query, so that every route reads one parameter. Pages served on one host (the status page and
the after-sales pages) thus share the choice. A language not offered is no choice."""

from __future__ import annotations

from collections.abc import Iterable
from http.cookies import SimpleCookie
from urllib.parse import parse_qsl, urlencode

from starlette.types import ASGIApp, Message, Receive, Scope, Send

LANGUAGE_COOKIE = "suivi_lang"
YEAR = 365 * 24 * 3600
# Each language's name in itself, as the pickers show it.
NAMES = {
    "en": "English", "fr": "Français", "de": "Deutsch", "es": "Español", "it": "Italiano",
    "nl": "Nederlands",
}  # fmt: skip


def picker(supported: Iterable[str]) -> tuple[tuple[str, str], ...]:
    """(code, name) of each offered language, for a page's picker (`?lang=code`)."""
    return tuple((code, NAMES.get(code, code)) for code in supported)


def remembered(scope: Scope, supported: Iterable[str], cookie: str = LANGUAGE_COOKIE) -> str | None:
    """The language the request's cookie remembers, when it is one of `supported`."""
    for name, value in scope.get("headers", ()):
        if name == b"cookie":
            jar: SimpleCookie = SimpleCookie()
            try:
                jar.load(value.decode("latin-1"))
            except Exception:  # a malformed cookie header is no choice
                return None
            morsel = jar.get(cookie)
            return morsel.value if morsel is not None and morsel.value in supported else None
    return None


class RememberLanguage:
    def __init__(
        self, app: ASGIApp, supported: Iterable[str], cookie: str = LANGUAGE_COOKIE
    ) -> None:
        self.app = app
        self.supported = tuple(supported)
        self.cookie = cookie

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        query = parse_qsl(scope.get("query_string", b"").decode("latin-1"), keep_blank_values=True)
        chosen = next((v for k, v in query if k == "lang"), None)
        if chosen is None:
            found = remembered(scope, self.supported, self.cookie)
            if found is not None:
                query.append(("lang", found))
                scope = {**scope, "query_string": urlencode(query).encode("latin-1")}
            await self.app(scope, receive, send)
            return
        if chosen not in self.supported or scope.get("method") != "GET":
            await self.app(scope, receive, send)
            return
        secure = "; Secure" if scope.get("scheme") == "https" else ""
        header = (
            f"{self.cookie}={chosen}; Path=/; Max-Age={YEAR}; SameSite=Lax; HttpOnly{secure}"
        ).encode("latin-1")

        async def remember(message: Message) -> None:
            if message["type"] == "http.response.start":
                message = {
                    **message,
                    "headers": [*message.get("headers", []), (b"set-cookie", header)],
                }
            await send(message)

        await self.app(scope, receive, remember)
