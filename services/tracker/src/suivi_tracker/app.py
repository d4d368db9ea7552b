"""The tracker's FastAPI app: the tracking routes, /healthz and /readyz, and errors always in
`{"error", "detail"}` with a precise 4xx (a failing database is a 503, never a 500)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import asyncpg
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response

from suivi_tracker.api import batch, trackings
from suivi_tracker.api.deps import ApiContext, ApiError, error_response

Ready = Callable[[], Awaitable[bool]]


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


async def _unavailable(request: Request, exc: Exception) -> Response:
    return error_response(503, "unavailable", "the database is not answering; retry",
                          {"Retry-After": "5"})  # fmt: skip


def create_api(context: ApiContext, ready: Ready) -> FastAPI:
    api = FastAPI(
        title="Suivi tracker",
        version="1",
        description="Start tracking parcels from their numbers (docs/tracking.md).",
    )
    api.state.context = context
    api.include_router(batch.router)  # before /{carrier}/{number}-style routes
    api.include_router(trackings.router)
    api.add_exception_handler(ApiError, _api_error)
    api.add_exception_handler(RequestValidationError, _invalid)
    for failure in (asyncpg.PostgresError, OSError, TimeoutError, asyncpg.InterfaceError):
        api.add_exception_handler(failure, _unavailable)

    @api.get("/healthz", include_in_schema=False)
    async def healthz() -> JSONResponse:
        return JSONResponse({"status": "ok"})

    @api.get("/readyz", include_in_schema=False)
    async def readyz() -> JSONResponse:
        ok = await ready()
        return JSONResponse(
            {"status": "ready" if ok else "not ready"}, status_code=200 if ok else 503
        )

    return api
