"""The console's FastAPI app: the page routers, /healthz and /readyz, and every refusal as a
page with a precise 4xx (a failing database is a 503, never a 500)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import asyncpg
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from suivi_console.web import auth, branding, claims, desk, keys, orders, policy, returns, team
from suivi_console.web.deps import ConsoleContext, Redirect, Refused
from suivi_console.web.render import LANGUAGES, page
from suivi_infra.http import answer_unavailable
from suivi_infra.language_cookie import RememberLanguage
from suivi_infra.startup import TRANSIENT

Ready = Callable[[], Awaitable[bool]]


async def _redirect(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, Redirect)
    return RedirectResponse(exc.location, status_code=303)


async def _refused(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, Refused)
    return page(request, "message.html", exc.status, message=exc.key)


async def _invalid(request: Request, exc: Exception) -> Response:
    return page(request, "message.html", 400, message="error.invalid")


async def _http(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    key = "error.not_found" if exc.status_code == 404 else "error.invalid"
    return page(request, "message.html", exc.status_code, message=key)


def _unavailable(request: Request) -> Response:
    return page(request, "message.html", 503, message="error.unavailable")


def create_app(context: ConsoleContext, ready: Ready) -> FastAPI:
    app = FastAPI(title="Suivi console", docs_url=None, redoc_url=None, openapi_url=None)
    app.state.context = context
    for router in (auth.router, keys.router, branding.router, orders.router, team.router,
                   policy.router, returns.router, claims.router):  # fmt: skip
        app.include_router(router)  # policy before returns: /returns/policy is not an RMA
    desk.install(app)  # after-sales away or refusing: a page saying so
    app.add_exception_handler(Redirect, _redirect)
    app.add_exception_handler(Refused, _refused)
    app.add_exception_handler(RequestValidationError, _invalid)
    app.add_exception_handler(StarletteHTTPException, _http)
    # PostgreSQL (or Kafka) gone mid-request: the shared edge's 503 with Retry-After, as a page.
    answer_unavailable(app, failures=(asyncpg.PostgresError, *TRANSIENT), page=_unavailable)

    # The language picker's choice, remembered (the `suivi_lang` cookie, as on the status pages).
    app.add_middleware(RememberLanguage, supported=LANGUAGES)

    @app.get("/healthz", include_in_schema=False)
    async def healthz() -> JSONResponse:
        return JSONResponse({"status": "ok"})

    @app.get("/readyz", include_in_schema=False)
    async def readyz() -> JSONResponse:
        ok = await ready()
        return JSONResponse(
            {"status": "ready" if ok else "not ready"}, status_code=200 if ok else 503
        )

    return app
