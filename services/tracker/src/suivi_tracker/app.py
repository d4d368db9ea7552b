"""The tracker's FastAPI app: the tracking routes, /healthz and /readyz, and errors always in
`{"error", "detail"}` with a precise 4xx (a failing database is a 503, never a 500)."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

import asyncpg
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response

from suivi_infra.http import answer_unavailable, install_error_handlers, offline_api, ops_router
from suivi_infra.startup import TRANSIENT
from suivi_tracker.api import batch, legs, trackings
from suivi_tracker.api.deps import ApiContext, ApiError, error_response

Ready = Callable[[], Awaitable[bool]]
NOT_READY = "not started, or PostgreSQL does not answer"
log = logging.getLogger("suivi_tracker.api")


async def _api_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ApiError)
    return error_response(exc.status, exc.code, exc.detail, exc.headers)


async def _invalid(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    errors = exc.errors()
    if any(e.get("type") == "json_invalid" for e in errors):
        return error_response(400, "invalid_json", "the body is not JSON")
    first = errors[0] if errors else {}
    where = ".".join(str(p) for p in first.get("loc", ()) if p != "body")
    return error_response(422, "invalid_request", f"{where}: {first.get('msg', 'invalid')}")


def create_api(context: ApiContext, ready: Ready) -> FastAPI:
    api = offline_api(
        title="Suivi tracker",
        version="1",
        description="Start tracking parcels from their numbers (docs/tracking.md).",
    )
    api.state.context = context
    api.include_router(batch.router)  # before /{carrier}/{number}-style routes
    api.include_router(trackings.router)
    api.include_router(legs.router)
    api.include_router(ops_router(ready, not_ready=NOT_READY, include_in_schema=False))
    # The shared handlers (404/405, 500 as error bodies), then the tracker's own: 422 for an
    # invalid request, as its API documents, and 503 for a database that does not answer.
    install_error_handlers(api, log)
    api.add_exception_handler(ApiError, _api_error)
    api.add_exception_handler(RequestValidationError, _invalid)
    answer_unavailable(api, detail="the database is not answering; retry",
                       headers={"Cache-Control": "no-store"},  # as every error of the API
                       failures=(asyncpg.PostgresError, *TRANSIENT))  # fmt: skip

    return api
