"""After-sales' FastAPI app: the merchant API, the shopper's return pages, /healthz and /readyz;
errors always as `{"error", "detail"}` with a precise 4xx (a failing database is a 503), and
the shopper's unknown pages as one identical 404 page (a failing database: a 503 page)."""

from __future__ import annotations

import logging

import asyncpg
from fastapi import FastAPI, Request
from fastapi.responses import Response

from suivi_aftersales.domain.claims import ClaimRefusedError
from suivi_aftersales.domain.returns import TransitionRefusedError
from suivi_aftersales.handlers.claims import ClaimNotFoundError
from suivi_aftersales.handlers.returns import NotFoundError, RefusedError
from suivi_aftersales.web import claims_merchant, claims_shopper, merchant, shopper
from suivi_aftersales.web.deps import ApiContext, ApiError, PageNotFoundError, RateLimitedError
from suivi_aftersales.web.pages import SUPPORTED, page, shopper_translator
from suivi_infra.http import (
    Ready,
    answer_unavailable,
    document_400_not_422,
    error_response,
    install_error_handlers,
    offline_api,
    ops_router,
)
from suivi_infra.language_cookie import RememberLanguage
from suivi_infra.startup import TRANSIENT

log = logging.getLogger(__name__)
NO_STORE = {"Cache-Control": "no-store"}


async def _api_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ApiError)
    return error_response(exc.status, exc.code, exc.detail, {**NO_STORE, **(exc.headers or {})})


async def _not_found(request: Request, exc: Exception) -> Response:
    return error_response(404, "not_found", "this merchant has no such return", NO_STORE)


async def _claim_not_found(request: Request, exc: Exception) -> Response:
    return error_response(404, "not_found", "this merchant has no such claim", NO_STORE)


async def _claim_refused(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ClaimRefusedError)
    return error_response(409, exc.code, exc.detail, NO_STORE)


async def _refused(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, TransitionRefusedError)
    return error_response(409, exc.code, exc.detail, NO_STORE)


async def _request_refused(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RefusedError)
    r = exc.refusal
    return error_response(r.status, r.code, r.detail, NO_STORE)


async def _page_not_found(request: Request, exc: Exception) -> Response:
    t = shopper_translator(request)
    return page("not_found.html", t, 404)


async def _limited(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RateLimitedError)
    t = shopper_translator(request)
    answer = page("limited.html", t, 429)
    answer.headers["Retry-After"] = str(exc.seconds)
    return answer


def _unavailable_page(request: Request) -> Response | None:
    """The shopper's pages and forms (under /orders/) say it in the shopper's words; the
    merchant API answers the JSON body."""
    if not request.url.path.startswith("/orders/"):
        return None
    return page("unavailable.html", shopper_translator(request), 503)


def create_api(context: ApiContext, ready: Ready) -> FastAPI:
    api = offline_api(
        title="Suivi after-sales",
        version="1",
        description="Returns and claims: the merchant's policy and actions, the shopper's pages "
        "(docs/returns.md).",
    )
    api.state.context = context
    install_error_handlers(api, log)
    api.include_router(merchant.router)
    api.include_router(shopper.router)
    api.include_router(claims_merchant.router)
    api.include_router(claims_shopper.router)
    api.include_router(ops_router(ready, not_ready="PostgreSQL or Kafka is not answering",
                                  retry_after=5))  # fmt: skip
    api.add_exception_handler(ApiError, _api_error)
    api.add_exception_handler(NotFoundError, _not_found)
    api.add_exception_handler(TransitionRefusedError, _refused)
    api.add_exception_handler(RefusedError, _request_refused)
    api.add_exception_handler(PageNotFoundError, _page_not_found)
    api.add_exception_handler(RateLimitedError, _limited)
    api.add_exception_handler(ClaimNotFoundError, _claim_not_found)
    api.add_exception_handler(ClaimRefusedError, _claim_refused)
    # Any PostgreSQL error, not only a server away: the forms never answer 500.
    answer_unavailable(api, detail="the database is not answering; retry", headers=NO_STORE,
                       failures=(asyncpg.PostgresError, *TRANSIENT),
                       page=_unavailable_page)  # fmt: skip
    document_400_not_422(api)
    # The shopper's language picker, remembered (the status page's cookie on a shared host).
    api.add_middleware(RememberLanguage, supported=SUPPORTED)
    return api
